-- wrk script for bench/serve-miss.sh: every request a distinct full-text search
-- (so every one misses the render cache), counted by status. With the script
-- argument "backoff" (wrk ... -s search-flood.lua URL -- backoff) a connection
-- answered 503 waits its Retry-After (2 s) before the next request, as a
-- well-behaved client does; without it, it asks again at once.
-- Query shapes: two common words (implicit AND), a common word OR a rare term,
-- a phrase; a per-thread counter in a rare term keeps each query distinct.
local words = {"model", "learning", "language", "neural", "network", "data", "training", "method",
  "results", "performance", "diffusion", "transformer", "attention", "graph", "quantum", "protein",
  "reasoning", "benchmark", "retrieval", "generation", "vision", "robust", "sampling", "kernel"}
local threads = {}
local n = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  ok, busy, other = 0, 0, 0
  backoff, wait = args[1] == "backoff", false
  math.randomseed(id * 7919 + 1)
end

local function esc(s)
  return (s:gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  n = n + 1
  local w1, w2 = words[math.random(#words)], words[math.random(#words)]
  local tag = string.format("t%x%x", id, n)
  local shapes = {
    w1 .. " " .. w2 .. " NOT " .. tag,
    w1 .. " OR " .. tag,
    '"' .. w1 .. " " .. w2 .. '" OR ' .. tag,
  }
  return wrk.format("GET", "/search.atom?q=" .. esc(shapes[n % 3 + 1]))
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 elseif status == 503 then busy = busy + 1; wait = backoff else other = other + 1 end
end

-- delay runs before the next request of the connection just answered (wrk's
-- event loop is single-threaded, so wait is that answer's).
function delay()
  if wait then
    wait = false
    return 2000
  end
  return 0
end

function done(summary, latency, requests)
  local o, b, x = 0, 0, 0
  for _, t in ipairs(threads) do
    o, b, x = o + t:get("ok"), b + t:get("busy"), x + t:get("other")
  end
  local s = summary.duration / 1e6
  io.write(string.format("searches: %.0f/s answered 200, %.0f/s 503, %d other\n", o / s, b / s, x))
end
