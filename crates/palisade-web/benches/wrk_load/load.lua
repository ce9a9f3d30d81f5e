-- wrk script for Palisade's load benchmark (benches/wrk_load.rs writes it out and
-- runs it). Each request goes out under the next of the benchmark's signed-in
-- sessions, so the load comes from every session in turn.
--
-- wrk ... -s load.lua URL -- MODE SESSIONS_FILE OCCURRED_AT
--   MODE          read: GET /cases/{case}; write: POST /cases/{case}/entries
--                 (multipart, the quick-log form, _csrf first)
--   SESSIONS_FILE one session a line: "cookie csrf case_id"
--   OCCURRED_AT   the datetime-local value written into every entry
-- $PALISADE_LOAD_DELAY_MS: a pause before each request on a connection, to
-- pace the load (unset or 0: closed loop, as fast as answers come).
-- The summary goes to $PALISADE_LOAD_OUT as JSON; the Location of every
-- acknowledged write (303) to $PALISADE_LOAD_OUT.acked, one a line.

local BOUNDARY = "palisadeLoadBoundary7MA4YWxkTrZu0gW"

local threads = {}
local sessions = {}
local nexti = 0
local seq = 0
local mode = "read"
local pause = tonumber(os.getenv("PALISADE_LOAD_DELAY_MS") or "0") or 0
local occurred = ""
counts = {}
acked = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  mode = args[1]
  occurred = args[3] or ""
  for line in io.lines(args[2]) do
    local c, t, case = line:match("^(%S+) (%S+) (%S+)$")
    if c then
      sessions[#sessions + 1] = { cookie = c, csrf = t, case = case }
    end
  end
  if #sessions == 0 then
    error("no sessions in " .. args[2])
  end
  -- Threads start at different sessions, with different random pauses.
  nexti = (tid * 7919) % #sessions
  math.randomseed(tid * 104729 + os.time())
end

-- wrk decides whether to pace from whether delay() exists at load time. The
-- pause is random (uniform, 0 to twice the mean), so the connections do not
-- march in step and arrive in bursts; wrk applies it before the first
-- request on each connection too.
if pause > 0 then
  function delay()
    return math.random(0, 2 * pause)
  end
end

local function part(name, value)
  return "--" .. BOUNDARY .. "\r\nContent-Disposition: form-data; name=\"" .. name .. "\"\r\n\r\n" .. value .. "\r\n"
end

function request()
  nexti = nexti % #sessions + 1
  local s = sessions[nexti]
  local headers = { ["Cookie"] = "palisade=" .. s.cookie }
  if mode == "read" then
    return wrk.format("GET", "/cases/" .. s.case, headers)
  end
  seq = seq + 1
  headers["Content-Type"] = "multipart/form-data; boundary=" .. BOUNDARY
  local body = part("_csrf", s.csrf)
    .. part("channel", "sms")
    .. part("direction", "inbound")
    .. part("occurred_at", occurred)
    .. part("summary", string.format("Load test message t%d n%d", tid, seq))
    .. part("content", "Benchmark entry written by wrk through the quick-log form.")
    .. "--" .. BOUNDARY .. "--\r\n"
  return wrk.format("POST", "/cases/" .. s.case .. "/entries", headers, body)
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if mode == "write" and status == 303 then
    acked[#acked + 1] = headers["location"] or headers["Location"] or "?"
  end
end

function done(summary, latency, requests)
  local out = os.getenv("PALISADE_LOAD_OUT")
  local statuses = {}
  local list = io.open(out .. ".acked", "w")
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("counts") or {}) do
      statuses[k] = (statuses[k] or 0) + v
    end
    for _, loc in ipairs(t:get("acked") or {}) do
      list:write(loc, "\n")
    end
  end
  list:close()
  local parts = {}
  for k, v in pairs(statuses) do
    parts[#parts + 1] = string.format("\"%d\": %d", k, v)
  end
  local e = summary.errors
  local f = io.open(out, "w")
  f:write(string.format(
    "{\"requests\": %d, \"duration_us\": %d, \"bytes\": %d, " ..
    "\"errors\": {\"connect\": %d, \"read\": %d, \"write\": %d, \"status\": %d, \"timeout\": %d}, " ..
    "\"latency_us\": {\"min\": %d, \"mean\": %.1f, \"p50\": %d, \"p90\": %d, \"p99\": %d, \"p999\": %d, \"max\": %d}, " ..
    "\"statuses\": {%s}}\n",
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max,
    table.concat(parts, ", ")))
  f:close()
end
