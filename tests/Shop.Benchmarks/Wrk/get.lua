-- Plain GETs of one page (the URL and any -H headers come from the command line); prints the same BENCH lines as
-- replay.lua, and the count of non-2xx with one of their statuses, so WrkRunner reads both alike.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  failures = 0
  last_status = 0
end

function response(status, headers, body)
  if status < 200 or status >= 300 then
    failures = failures + 1
    last_status = status
  end
end

function done(summary, latency, requests)
  io.write(string.format("BENCH summary requests=%d duration_us=%d connect_errors=%d read_errors=%d write_errors=%d status_errors=%d timeouts=%d\n",
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
  io.write(string.format("BENCH latency p50=%d p95=%d p99=%d max=%d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
  local total, last = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("failures")
    if thread:get("last_status") ~= 0 then last = thread:get("last_status") end
  end
  io.write(string.format("BENCH failures=%d last_status=%d\n", total, last))
end
