-- wrk: one heartbeat per request, 10,000 users over 50 movies, positions advancing like a real player.
local counter = 0
local thread_id = 0

function setup(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
  counter = counter + 1
  local user = (counter * 7919 + thread_id) % 10000
  local movie = user % 50
  local position = math.floor(counter / 10000) * 10 % 3000
  local second = math.floor(counter / 10000) * 10
  local body = string.format(
    '{"userId":"user_%d","movieId":"movie_%d","duration":3600,"position":%d,"timestamp":"2021-10-26T%02d:%02d:%02dZ"}',
    user, movie, position, math.floor(second / 3600) % 24, math.floor(second / 60) % 60, second % 60)
  return wrk.format(nil, "/heartbeat", nil, body)
end
