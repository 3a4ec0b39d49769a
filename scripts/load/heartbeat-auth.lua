-- wrk: heartbeat.lua's requests, with the ingest key in TALLY_KEY sent as Authorization: Bearer.
dofile("scripts/load/heartbeat.lua")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TALLY_KEY")
