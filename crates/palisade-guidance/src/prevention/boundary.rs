//! The boundary statement generator: a short and a long statement, in plain
//! English, telling patients how to contact the practice, that doctors and
//! staff do not answer them on personal channels, and where to go in an
//! emergency or when the practice is closed.
//!
//! The statements promise only what a practice can always do: they name its
//! routes and say what is not answered; they never promise a reply time.

use super::{GMC_SOCIAL_MEDIA, NHS_URGENT_HELP};
use crate::sources::{self, Source};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Where the statement will be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// The practice's website (the practice speaks: "we").
    PracticeWebsite,
    /// A clinician's professional profile (LinkedIn, a professional page):
    /// the clinician speaks and names the practice.
    ProfessionalProfile,
    /// A note for a personal social or dating profile: names neither the
    /// practice nor its routes, so the account does not lead to the workplace.
    PersonalProfile,
}

impl ProfileKind {
    pub const ALL: [ProfileKind; 3] = [
        ProfileKind::PracticeWebsite,
        ProfileKind::ProfessionalProfile,
        ProfileKind::PersonalProfile,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProfileKind::PracticeWebsite => "practice_website",
            ProfileKind::ProfessionalProfile => "professional_profile",
            ProfileKind::PersonalProfile => "personal_profile",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            ProfileKind::PracticeWebsite => "The practice's website",
            ProfileKind::ProfessionalProfile => {
                "A clinician's professional profile (for example LinkedIn)"
            }
            ProfileKind::PersonalProfile => "A note for a personal social media or dating profile",
        }
    }

    /// Whether the statement names the practice and its contact routes.
    pub fn names_the_practice(self) -> bool {
        !matches!(self, ProfileKind::PersonalProfile)
    }
}

impl fmt::Display for ProfileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A profile kind that is not one of [`ProfileKind::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown profile type '{0}' (expected practice_website, professional_profile or personal_profile)"
)]
pub struct UnknownProfileKind(pub String);

impl FromStr for ProfileKind {
    type Err = UnknownProfileKind;
    fn from_str(s: &str) -> Result<Self, UnknownProfileKind> {
        ProfileKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownProfileKind(s.to_string()))
    }
}

/// What the statement is built from, as a person typed it. Empty strings
/// count as not given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundaryInput {
    pub profile: ProfileKind,
    /// The practice or organisation (needed unless the profile is personal).
    pub organisation: String,
    /// The clinician, for a professional profile ("Dr A Shah").
    pub clinician: Option<String>,
    /// The clinician's role ("GP partner").
    pub role: Option<String>,
    pub phone: Option<String>,
    /// The practice's online route: an online consultation or contact form
    /// and where it is ("the online form at www.example.nhs.uk").
    pub online: Option<String>,
    /// Whether patients can contact the practice through the NHS App.
    pub nhs_app: bool,
    /// A practice email address that is read for patients' messages.
    pub email: Option<String>,
    /// Opening hours as the practice states them.
    pub hours: Option<String>,
    /// Where to go for urgent help when the practice is closed, if not NHS
    /// 111 (for example "NHS 24 (call 111)").
    pub out_of_hours: Option<String>,
}

impl BoundaryInput {
    /// An input for `profile` with nothing filled in.
    pub fn new(profile: ProfileKind) -> Self {
        BoundaryInput {
            profile,
            organisation: String::new(),
            clinician: None,
            role: None,
            phone: None,
            online: None,
            nhs_app: false,
            email: None,
            hours: None,
            out_of_hours: None,
        }
    }
}

/// One problem with the input: the form field it is about (the names the
/// web form uses) and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct BoundaryError {
    pub field: &'static str,
    pub message: String,
}

/// Why the statement says what it says, and who advises it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub text: &'static str,
    pub source: Source,
}

/// The generated statements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoundaryStatement {
    pub profile: ProfileKind,
    /// One short paragraph, for a profile's bio or a page's sidebar.
    pub short: String,
    /// Several paragraphs separated by blank lines, for a contact page.
    pub long: String,
    pub reasons: Vec<Reason>,
}

/// The urgent-help route when the practice is closed, unless told otherwise.
pub const DEFAULT_OUT_OF_HOURS: &str = "NHS 111 (call 111)";

/// The longest value accepted in any one field.
pub const MAX_FIELD_CHARS: usize = 200;

/// A trimmed, non-empty value, or `None`.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn check_text(field: &'static str, label: &str, v: &str, errors: &mut Vec<BoundaryError>) {
    let n = v.chars().count();
    if n > MAX_FIELD_CHARS {
        errors.push(BoundaryError {
            field,
            message: format!("{label} must be {MAX_FIELD_CHARS} characters or fewer (it has {n})"),
        });
    } else if v.chars().any(char::is_control) {
        errors.push(BoundaryError {
            field,
            message: format!("{label} must be on one line"),
        });
    }
}

fn check_phone(v: &str, errors: &mut Vec<BoundaryError>) {
    let digits = v.chars().filter(char::is_ascii_digit).count();
    if v.contains('@') || digits < 6 {
        errors.push(BoundaryError {
            field: "phone",
            message: "Enter the practice's telephone number, for example 01632 960 123".into(),
        });
    }
}

fn check_email(v: &str, errors: &mut Vec<BoundaryError>) {
    let ok = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !v.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !ok {
        errors.push(BoundaryError {
            field: "email",
            message: "Enter the email address in the correct format, like reception@example.nhs.uk"
                .into(),
        });
    }
}

/// Every problem with `input`, in the order of the form's fields (empty
/// when it is usable).
pub fn validate(input: &BoundaryInput) -> Vec<BoundaryError> {
    let mut errors = Vec::new();
    let practice = input.profile.names_the_practice();
    let org = input.organisation.trim();
    if practice && org.is_empty() {
        errors.push(BoundaryError {
            field: "organisation",
            message: "Enter the name of the practice or organisation".into(),
        });
    }
    check_text("organisation", "The practice name", org, &mut errors);
    let fields: [(&'static str, &str, &Option<String>); 7] = [
        ("clinician", "The clinician's name", &input.clinician),
        ("role", "The role", &input.role),
        ("phone", "The telephone number", &input.phone),
        ("online", "The online route", &input.online),
        ("email", "The email address", &input.email),
        ("hours", "The opening hours", &input.hours),
        ("out_of_hours", "The urgent-help route", &input.out_of_hours),
    ];
    for (field, label, v) in fields {
        let Some(v) = given(v) else { continue };
        let before = errors.len();
        check_text(field, label, v, &mut errors);
        if errors.len() == before && practice {
            match field {
                "phone" => check_phone(v, &mut errors),
                "email" => check_email(v, &mut errors),
                _ => {}
            }
        }
    }
    let any_route = given(&input.phone).is_some()
        || given(&input.online).is_some()
        || given(&input.email).is_some()
        || input.nhs_app;
    if practice && !any_route {
        errors.push(BoundaryError {
            field: "phone",
            message: "Give at least one way for patients to contact the practice: a telephone number, an online route, the NHS App or an email address".into(),
        });
    }
    errors
}

/// The practice's routes as one phrase: "by telephone on 01632 960 123,
/// through the NHS App or by email to reception@example.nhs.uk".
fn routes(input: &BoundaryInput) -> String {
    let mut v: Vec<String> = Vec::new();
    if let Some(p) = given(&input.phone) {
        v.push(format!("by telephone on {p}"));
    }
    if let Some(o) = given(&input.online) {
        v.push(format!("using {o}"));
    }
    if input.nhs_app {
        v.push("through the NHS App".into());
    }
    if let Some(e) = given(&input.email) {
        v.push(format!("by email to {e}"));
    }
    match v.len() {
        0 => String::new(),
        1 => v.remove(0),
        n => {
            let last = v.remove(n - 1);
            format!("{} or {last}", v.join(", "))
        }
    }
}

fn out_of_hours(input: &BoundaryInput) -> &str {
    given(&input.out_of_hours).unwrap_or(DEFAULT_OUT_OF_HOURS)
}

/// Drop a trailing full stop a person typed, so sentences do not end "..".
fn bare(s: &str) -> &str {
    s.trim_end_matches('.')
}

fn emergency(input: &BoundaryInput, closed: &str) -> String {
    format!(
        "In an emergency, when someone is seriously ill or injured or their life is at risk, call 999. If you need urgent medical help when {closed} is closed, or are not sure where to go, use {}.",
        bare(out_of_hours(input))
    )
}

fn practice_website(input: &BoundaryInput) -> (String, String) {
    let org = input.organisation.trim();
    let routes = routes(input);
    let hours = given(&input.hours).map(bare);
    let ooh = bare(out_of_hours(input));
    let mut short = format!("To contact {org}, please get in touch {routes}.");
    if let Some(h) = hours {
        short.push_str(&format!(" Opening hours: {h}."));
    }
    short.push_str(&format!(
        " Our doctors and staff do not answer messages sent to their personal phones, email or social media. In an emergency call 999; for urgent help when we are closed, use {ooh}."
    ));
    let mut long = vec![format!(
        "To contact {org} about your health, an appointment, a prescription, a test result or anything else, please get in touch {routes}."
    )];
    if let Some(h) = hours {
        long.push(format!("The practice is open {h}."));
    }
    long.push(
        "Using these routes means your request reaches the practice team, so that the right person can deal with it."
            .into(),
    );
    long.push(
        "Please do not contact our doctors or staff through their personal phone numbers, personal email, social media or dating apps, and please do not send them friend or follow requests. They do not discuss anyone's care, or answer messages from patients, through personal accounts, and nothing sent that way can be acted on. This protects your privacy and your care as well as theirs."
            .into(),
    );
    long.push(
        "If you are unhappy with any part of your care, please tell us through the same routes. You can ask for a copy of our complaints procedure."
            .into(),
    );
    long.push(emergency(input, "the practice"));
    (short, long.join("\n\n"))
}

fn professional_profile(input: &BoundaryInput) -> (String, String) {
    let org = input.organisation.trim();
    let routes = routes(input);
    let ooh = bare(out_of_hours(input));
    let short = format!(
        "I don't give medical advice or answer messages from patients here. Patients of {org}: please contact the practice {routes}. In an emergency call 999; for urgent help when the practice is closed, use {ooh}."
    );
    let mut long = Vec::new();
    let who = match (given(&input.clinician), given(&input.role)) {
        (Some(c), Some(r)) => Some(format!("{c}, {r}, {org}.")),
        (Some(c), None) => Some(format!("{c}, {org}.")),
        (None, Some(r)) => Some(format!("{r}, {org}.")),
        (None, None) => None,
    };
    long.extend(who);
    long.push(
        "This is a professional profile. I cannot give medical advice or discuss anyone's care here, and I do not reply to messages from patients on this account or on any personal account, including messaging apps and dating apps."
            .into(),
    );
    let mut contact =
        format!("If you are a patient of {org}, please contact the practice {routes}");
    match given(&input.hours).map(bare) {
        Some(h) => contact.push_str(&format!(" (open {h}).")),
        None => contact.push('.'),
    }
    long.push(contact);
    long.push(emergency(input, "the practice"));
    (short, long.join("\n\n"))
}

fn personal_profile(input: &BoundaryInput) -> (String, String) {
    let short = "This is a personal account. I don't give medical advice or discuss anyone's health here, and I don't answer messages about it."
        .to_string();
    let long = [
        short.clone(),
        "If you know me through my work, please contact my workplace in the usual way rather than this account.".to_string(),
        format!(
            "If you need medical help, please contact your own GP practice. In an emergency call 999; for urgent help when your practice is closed, use {}.",
            bare(out_of_hours(input))
        ),
    ];
    (short, long.join("\n\n"))
}

const REASON_STATE_IT: Reason = Reason {
    text: "Say plainly where patients will look that personal accounts are not answered: patients should not have to guess that their messages will be ignored.",
    source: sources::PREVENTION_BLOG,
};
const REASON_ROUTE: Reason = Reason {
    text: "Give patients a professional, secure and recorded way to reach the practice, so that they have no reason to use social networks or personal numbers.",
    source: sources::PREVENTION_BLOG,
};
const REASON_NO_REPLY: Reason = Reason {
    text: "Do not reply to patients on social media at all, even to decline politely: a personal channel is outside the professional relationship.",
    source: sources::MDU_SOCIAL,
};
const REASON_REDIRECT: Reason = Reason {
    text: "When a patient makes personal contact, point them to the proper route for clinical concerns.",
    source: sources::MDDUS_BOUNDARIES,
};
const REASON_URGENT: Reason = Reason {
    text: "999 is for emergencies; NHS 111 is for urgent help when the practice is closed or when someone is unsure where to go.",
    source: NHS_URGENT_HELP,
};
const REASON_FINDABLE: Reason = Reason {
    text: "A personal profile that names your workplace makes you easier to find; this note leaves the practice and its routes out.",
    source: sources::MDU_SOCIAL,
};
const REASON_DATING: Reason = Reason {
    text: "Doctors can find themselves talking to a patient on a dating app without knowing it; a short note sets the boundary before a conversation starts.",
    source: sources::MDDUS_BOUNDARIES,
};
const REASON_PUBLIC: Reason = Reason {
    text: "Anything posted on a personal account can affect patients' trust in the profession; keep clinical matters off it.",
    source: GMC_SOCIAL_MEDIA,
};

/// The statements for `input`, or every problem with it.
pub fn boundary_statement(input: &BoundaryInput) -> Result<BoundaryStatement, Vec<BoundaryError>> {
    let errors = validate(input);
    if !errors.is_empty() {
        return Err(errors);
    }
    let (short, long) = match input.profile {
        ProfileKind::PracticeWebsite => practice_website(input),
        ProfileKind::ProfessionalProfile => professional_profile(input),
        ProfileKind::PersonalProfile => personal_profile(input),
    };
    let reasons = match input.profile {
        ProfileKind::PracticeWebsite | ProfileKind::ProfessionalProfile => vec![
            REASON_STATE_IT,
            REASON_ROUTE,
            REASON_NO_REPLY,
            REASON_REDIRECT,
            REASON_URGENT,
        ],
        ProfileKind::PersonalProfile => vec![
            REASON_FINDABLE,
            REASON_DATING,
            REASON_NO_REPLY,
            REASON_PUBLIC,
            REASON_URGENT,
        ],
    };
    Ok(BoundaryStatement {
        profile: input.profile,
        short,
        long,
        reasons,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn website() -> BoundaryInput {
        BoundaryInput {
            organisation: "Riverside Surgery".into(),
            phone: Some("01632 960 123".into()),
            online: Some("the online consultation form at www.riverside.example".into()),
            nhs_app: true,
            email: Some("reception@riverside.example".into()),
            hours: Some("Monday to Friday, 8am to 6.30pm.".into()),
            ..BoundaryInput::new(ProfileKind::PracticeWebsite)
        }
    }

    #[test]
    fn the_website_statement_names_every_route_and_the_emergency_numbers() {
        let s = boundary_statement(&website()).unwrap();
        for text in [&s.short, &s.long] {
            assert!(text.contains("Riverside Surgery"), "{text}");
            assert!(text.contains("by telephone on 01632 960 123"), "{text}");
            assert!(
                text.contains(
                    ", using the online consultation form at www.riverside.example, through"
                ),
                "{text}"
            );
            assert!(
                text.contains("through the NHS App or by email to reception@riverside.example")
            );
            assert!(text.contains("call 999"));
            assert!(text.contains("NHS 111 (call 111)"));
            assert!(text.contains("Monday to Friday, 8am to 6.30pm."));
            assert!(
                !text.contains(".."),
                "a typed full stop is not doubled: {text}"
            );
        }
        assert!(
            s.long
                .contains("personal phone numbers, personal email, social media or dating apps")
        );
        assert!(s.long.split("\n\n").count() >= 5);
        assert!(s.short.len() < s.long.len());
    }

    #[test]
    fn no_statement_promises_a_reply_time() {
        for profile in ProfileKind::ALL {
            let input = BoundaryInput {
                profile,
                clinician: Some("Dr A Shah".into()),
                role: Some("GP partner".into()),
                ..website()
            };
            let s = boundary_statement(&input).unwrap();
            let all = format!("{} {}", s.short, s.long).to_lowercase();
            for promise in [
                "within",
                "we will reply",
                "will respond",
                "guarantee",
                "always answer",
            ] {
                assert!(!all.contains(promise), "{profile}: '{promise}' in {all}");
            }
            assert!(all.contains("999"), "{profile}");
            assert!(!s.reasons.is_empty());
        }
    }

    #[test]
    fn the_professional_profile_speaks_for_the_clinician() {
        let input = BoundaryInput {
            profile: ProfileKind::ProfessionalProfile,
            clinician: Some("Dr A Shah".into()),
            role: Some("GP partner".into()),
            hours: None,
            ..website()
        };
        let s = boundary_statement(&input).unwrap();
        assert!(
            s.long
                .starts_with("Dr A Shah, GP partner, Riverside Surgery."),
            "{}",
            s.long
        );
        assert!(s.short.starts_with("I don't give medical advice"));
        assert!(s.long.contains(
            "If you are a patient of Riverside Surgery, please contact the practice by telephone"
        ));
        let without_name = BoundaryInput {
            clinician: None,
            role: None,
            ..input
        };
        let s = boundary_statement(&without_name).unwrap();
        assert!(s.long.starts_with("This is a professional profile."));
    }

    #[test]
    fn the_personal_note_never_leads_to_the_workplace() {
        let input = BoundaryInput {
            profile: ProfileKind::PersonalProfile,
            clinician: Some("Dr A Shah".into()),
            ..website()
        };
        let s = boundary_statement(&input).unwrap();
        for text in [&s.short, &s.long] {
            for leak in ["Riverside", "01632", "reception@", "Shah", "NHS App"] {
                assert!(!text.contains(leak), "{leak} in {text}");
            }
        }
        assert!(
            s.short.chars().count() <= 160,
            "fits a short bio: {}",
            s.short
        );
        // A personal note needs no practice details at all.
        let bare = BoundaryInput::new(ProfileKind::PersonalProfile);
        assert!(boundary_statement(&bare).is_ok());
    }

    #[test]
    fn a_different_urgent_route_replaces_nhs_111() {
        let input = BoundaryInput {
            out_of_hours: Some("NHS 24 (call 111)".into()),
            ..website()
        };
        let s = boundary_statement(&input).unwrap();
        assert!(s.long.contains("use NHS 24 (call 111)."));
        assert!(!s.long.contains("NHS 111"));
    }

    #[test]
    fn bad_input_says_which_field_and_what_to_do() {
        let input = BoundaryInput {
            organisation: "  ".into(),
            phone: Some("reception@riverside".into()),
            email: Some("reception at riverside".into()),
            hours: Some("8am\nto 6pm".into()),
            online: Some("x".repeat(MAX_FIELD_CHARS + 1)),
            ..BoundaryInput::new(ProfileKind::PracticeWebsite)
        };
        let errors = boundary_statement(&input).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["organisation", "phone", "online", "email", "hours"]
        );
        assert!(
            errors[1]
                .to_string()
                .starts_with("phone: Enter the practice's telephone number")
        );
        assert!(
            errors[2]
                .message
                .contains("200 characters or fewer (it has 201)")
        );
        assert!(errors[3].message.contains("correct format"));
        assert!(errors[4].message.contains("one line"));

        let no_route = BoundaryInput {
            organisation: "Riverside Surgery".into(),
            ..BoundaryInput::new(ProfileKind::ProfessionalProfile)
        };
        let errors = boundary_statement(&no_route).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("at least one way"));
        let app_only = BoundaryInput {
            nhs_app: true,
            ..no_route
        };
        assert!(boundary_statement(&app_only).is_ok());
    }

    #[test]
    fn profile_kinds_round_trip_and_unknown_ones_are_named() {
        for k in ProfileKind::ALL {
            assert_eq!(k.as_str().parse::<ProfileKind>().unwrap(), k);
        }
        let e = "facebook".parse::<ProfileKind>().unwrap_err();
        assert!(e.to_string().contains("'facebook'"));
    }
}
