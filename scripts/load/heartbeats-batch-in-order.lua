-- In-order batches: each request carries the next second of event time for 1,000 users (positions wrap at the
-- 3,600 s duration, so runs of any length stay valid).
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-ndjson"
function request()
  n = n + 1
  local lines = {}
  local t = 1635254400 + n
  for i = 1, 1000 do
    local user = (n * 1000 + i) % 10000
    lines[i] = string.format('{"userId":"user_%d","movieId":"movie_%d","duration":3600,"position":%d,"timestamp":"%s"}',
      user, user % 50, n % 3600, os.date("!%Y-%m-%dT%H:%M:%SZ", t))
  end
  return wrk.format(nil, "/heartbeats", nil, table.concat(lines, "\n"))
end
