-- wrk script for bench/chaos.sh: cycles through the documents readers ask
-- for (topic feeds in every format, the index, the OPML, a digest) and counts
-- the answers by status class, summed over threads. wrk counts socket errors
-- (a replica killed under it) apart. The health check is polled apart.
local paths = {"/topics/ml.atom", "/topics/all.rss", "/topics/ml.json", "/", "/topics.opml",
  "/topics/all.atom", "/topics/ml/daily.atom", "/topics/ml.rss", "/topics/all.json"}
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  n, s2, s3, s4, s5 = 0, 0, 0, 0, 0
end

function request()
  n = n + 1
  return wrk.format("GET", paths[n % #paths + 1], {["Accept-Encoding"] = "gzip"})
end

function response(status, headers, body)
  if status >= 500 then s5 = s5 + 1
  elseif status >= 400 then s4 = s4 + 1
  elseif status >= 300 then s3 = s3 + 1
  else s2 = s2 + 1 end
end

function done(summary, latency, requests)
  local t2, t3, t4, t5 = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    t2, t3, t4, t5 = t2 + t:get("s2"), t3 + t:get("s3"), t4 + t:get("s4"), t5 + t:get("s5")
  end
  local e = summary.errors
  io.write(string.format("statuses 2xx=%d 3xx=%d 4xx=%d 5xx=%d socket-errors connect=%d read=%d write=%d timeout=%d p99=%.1fms\n",
    t2, t3, t4, t5, e.connect, e.read, e.write, e.timeout, latency:percentile(99) / 1000))
end
