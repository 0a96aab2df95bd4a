-- wrk: GET /cases/{id} over random ids of the generated cases (CASE_COUNT).
local n = tonumber(os.getenv("CASE_COUNT") or "1000000")
math.randomseed(7)
request = function()
  return wrk.format("GET", "/cases/" .. math.random(1, n))
end
