-- wrk script: uploads. Every request POSTs a body of MIB mebibytes (default 20) to the URL's path, which reads it
-- all and answers with its length (the sample's /drain).
-- Usage: wrk -s perf/upload.lua http://127.0.0.1:PORT/drain -- 20

local upload

init = function(args)
  local mib = tonumber(args[1]) or 20
  upload = wrk.format("POST", nil, { ["Content-Type"] = "application/octet-stream" }, string.rep("u", mib * 1024 * 1024))
end

request = function()
  return upload
end
