-- Replays pre-signed requests, one file per connection. bench runs wrk with as many threads as connections, so each
-- thread owns one connection and a response always answers the request its thread sent last: that is how the
-- benchmark knows exactly which events were acknowledged, and can check each of them in the database afterwards.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(args[1] .. "/conn-" .. id .. ".req", "rb"))
  local data = f:read("*a")
  f:close()
  requests = {}
  local pos = 1
  while pos <= #data do
    local nl = data:find("\n", pos, true)
    local len = tonumber(data:sub(pos, nl - 1))
    requests[#requests + 1] = data:sub(nl + 1, nl + len)
    pos = nl + 1 + len
  end
  data = nil
  sent = 0
  current = 0
  wrapped = 0
  -- Acknowledged request indices as "a-b" ranges, and every non-2xx as "index:status".
  acked = ""
  range_start = -1
  range_end = -1
  failures = ""
end

function request()
  sent = sent + 1
  if sent > #requests then
    wrapped = wrapped + 1
  end
  current = (sent - 1) % #requests + 1
  return requests[current]
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    if sent <= #requests then
      if current == range_end + 1 then
        range_end = current
      else
        if range_start >= 0 then acked = acked .. range_start .. "-" .. range_end .. "," end
        range_start = current
        range_end = current
      end
    end
  else
    failures = failures .. current .. ":" .. status .. ","
  end
  -- Kept readable by done(): thread:get copies globals only.
  acked_all = acked .. (range_start >= 0 and (range_start .. "-" .. range_end) or "")
end

function done(summary, latency, requests)
  io.write(string.format("BENCH summary requests=%d duration_us=%d connect_errors=%d read_errors=%d write_errors=%d status_errors=%d timeouts=%d\n",
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
  io.write(string.format("BENCH latency p50=%d p95=%d p99=%d max=%d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
  for _, thread in ipairs(threads) do
    io.write(string.format("BENCH thread id=%d sent=%d wrapped=%d acked=%s failures=%s\n",
      thread:get("id"), thread:get("sent"), thread:get("wrapped"), thread:get("acked_all") or "", thread:get("failures") or ""))
  end
end
