// Palisade: progressive enhancement only; every page works without it.
// Moves keyboard focus to the error summary when a form comes back with
// errors (NHS design system pattern), so screen readers announce it.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
})();
