-- wrk load for /analytics: 95% of requests for the current hour, 5% for one of the 24 hours before it.
-- ANALYTICS_MODE: post | get | mix (half POST, half GET) | get-current (GET of the current hour only)
-- ANALYTICS_DELAY_MS: pause of each connection between requests (wrk has no rate control; this sets the rate)
-- ANALYTICS_USERS: distinct users POSTed (default 100000)
local mode = os.getenv("ANALYTICS_MODE") or "mix"
local delay_ms = tonumber(os.getenv("ANALYTICS_DELAY_MS") or "0")
local users = tonumber(os.getenv("ANALYTICS_USERS") or "100000")
local now = os.time() * 1000
local hour = now - now % 3600000

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

local function timestamp()
  if mode == "get-current" or math.random() < 0.95 then
    return hour + math.random(0, 3599999)
  end
  return hour - math.random(1, 24) * 3600000 + math.random(0, 3599999)
end

function request()
  local post = mode == "post" or (mode == "mix" and math.random() < 0.5)
  if post then
    local flag = math.random() < 0.1 and "click" or "impression"
    return wrk.format("POST", "/analytics?timestamp=" .. timestamp() .. "&user=user" .. math.random(1, users) .. "&" .. flag)
  end
  return wrk.format("GET", "/analytics?timestamp=" .. timestamp())
end

if delay_ms > 0 then
  function delay() return delay_ms end
end
