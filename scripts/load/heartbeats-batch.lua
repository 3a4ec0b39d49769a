-- wrk: batches of 1,000 heartbeats per request (NDJSON). Bodies are built once per thread and rotated.
local bodies = {}
local n = 0
local thread_id = 0

function setup(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  for b = 1, 20 do
    local lines = {}
    for i = 1, 1000 do
      local user = (b * 1000 + i + thread_id * 100000) % 10000
      local second = b * 10
      lines[i] = string.format(
        '{"userId":"user_%d","movieId":"movie_%d","duration":3600,"position":%d,"timestamp":"2021-10-26T13:%02d:%02dZ"}',
        user, user % 50, second, math.floor(second / 60) % 60, second % 60)
    end
    bodies[b] = table.concat(lines, "\n")
  end
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-ndjson"

function request()
  n = n % #bodies + 1
  return wrk.format(nil, "/heartbeats", nil, bodies[n])
end
