-- wrk script: compares every response body with a file, given after
-- "--" on wrk's command line; done() prints "CHECK good=N bad=N" summed
-- over wrk's threads (selftests/apps.py nginx, tools/bench/apps.sh).
local expected
good, bad = 0, 0

init = function(args)
  local f = assert(io.open(args[1], "rb"))
  expected = f:read("*a")
  f:close()
end

response = function(status, headers, body)
  if status == 200 and body == expected then
    good = good + 1
  else
    bad = bad + 1
  end
end

local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end

done = function(summary, latency, requests)
  local g, b = 0, 0
  for _, t in ipairs(threads) do
    g = g + t:get("good")
    b = b + t:get("bad")
  end
  io.write(string.format("CHECK good=%d bad=%d\n", g, b))
end
