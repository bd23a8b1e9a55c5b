-- wrk script: POST /embed with one of a few requests (1 to 8 texts), round robin per connection; any answer but 200 is
-- counted, and the script's done() prints the count in a line loadtest.sh reads.
local bodies = {
  '{"texts": ["The cat sat on the mat."]}',
  '{"texts": ["A dog runs fast in the sun.", "hello", "The red sun and the blue moon."]}',
  '{"texts": ["Text to vector, vector to text.", "It is a big red dog.", "Fast vectors for a small model.", "zzz", "The moon is small and blue.", "Hello, world!", "A big model of the world.", "The small cat is slow."]}',
  '{"texts": ["Hello, world! The quick brown text model runs fast and the small blue vector is slow in the sun."]}',
}
local counter = 0
local bad = 0

request = function()
  counter = counter + 1
  return wrk.format("POST", "/embed", { ["Content-Type"] = "application/json" }, bodies[(counter % #bodies) + 1])
end

response = function(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
  end
end

done = function(summary, latency, requests)
  io.write(string.format("loadtest: requests %d, errors connect %d read %d write %d timeout %d status %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status))
  io.write(string.format("loadtest: latency p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("loadtest: requests/s %.1f\n", summary.requests / (summary.duration / 1e6)))
end
