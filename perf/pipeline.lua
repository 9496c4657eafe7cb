-- wrk script: HTTP/1.1 pipelining. Each write carries DEPTH requests (default 16) back to back;
-- wrk counts every response, so req/s is requests, not writes.
-- Usage: wrk -s perf/pipeline.lua http://127.0.0.1:PORT/plaintext -- 16

local pipelined

init = function(args)
  local depth = tonumber(args[1]) or 16
  local requests = {}
  for i = 1, depth do
    requests[i] = wrk.format()
  end
  pipelined = table.concat(requests)
end

request = function()
  return pipelined
end
