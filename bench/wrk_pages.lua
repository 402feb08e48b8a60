-- wrk request generator for the raw-HTTP ceiling in scripts/bench.sh.
--
-- Asks the mock for the same 1-row pages `eiabench extract
-- --request-length 1 --days-per-batch 1` asks for: PACW fuel-type-data, one
-- day per batch, offsets 0..119 (one day holds 5 series x 24 hours), days
-- walking forward from 2024-01-01. So wrk and eiabench make the mock do the
-- same work per request; only the client differs.
--
--   wrk -t1 -c8 -d10s -s bench/wrk_pages.lua http://127.0.0.1:PORT/v2

local rows_per_day = 120
local days = 180
local n = 0

local function day_param(d)
  -- 2024-01-01 plus d days, d < 366 (2024 is a leap year).
  local month_days = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
  local m = 1
  while d >= month_days[m] do
    d = d - month_days[m]
    m = m + 1
  end
  return string.format("2024-%02d-%02d", m, d + 1)
end

request = function()
  local day = math.floor(n / rows_per_day) % days
  local offset = n % rows_per_day
  n = n + 1
  local date = day_param(day)
  local path = wrk.path .. "/electricity/rto/fuel-type-data/data/" ..
      "?frequency=hourly&data[0]=value&facets[respondent][]=PACW" ..
      "&start=" .. date .. "T00&end=" .. date .. "T23" ..
      "&sort[0][column]=period&sort[0][direction]=asc" ..
      "&sort[1][column]=respondent&sort[1][direction]=asc" ..
      "&offset=" .. offset .. "&length=1&api_key=bench-key"
  return wrk.format("GET", path)
end
