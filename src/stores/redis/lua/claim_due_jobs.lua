--[[
  claimDueJobs: claims up to `limit` due jobs (not paused, nextRunAt <= now, no live claim) for
  `owner`, each with a fresh fencing token, earliest nextRunAt first. Atomic: concurrent callers
  never receive the same job.

  ARGV[1] prefix
  ARGV[2] now (caller's clock: nextRunAt is compared with it)
  ARGV[3] owner
  ARGV[4] leaseMs
  ARGV[5] limit
  ARGV[6] lease clock: "redis" or "caller"

  Keys: P:due, P:claims, P:job:<id> of candidates, P:seq

  Returns {1, <job hash>, <job hash>, ...}
]]
local now = tonumber(ARGV[2])
local owner = ARGV[3]
local leaseMs = tonumber(ARGV[4])
local limit = tonumber(ARGV[5])
local lnow = leaseClock(ARGV[6], now)
local out = {1}
if limit <= 0 then return out end

local candidates = {}
-- Expired claims: the job is due again if it still is; otherwise it goes back to P:due (or to no
-- index), keeping its stale claim so that a late commit of the holder is still recognised.
local expired = rcall('ZRANGEBYSCORE', K.claims, '-inf', fmt(lnow), 'LIMIT', 0, limit * 4)
for _, id in ipairs(expired) do
  local f = rcall('HMGET', key('job', id), 'paused', 'next')
  local nextRunAt = tonumber(f[2])
  if f[1] ~= '1' and nextRunAt and nextRunAt <= now then
    candidates[#candidates + 1] = {nextRunAt, id}
  else
    rcall('ZREM', K.claims, id)
    reindexJob(id)
  end
end
local due = rcall('ZRANGEBYSCORE', K.due, '-inf', ARGV[2], 'WITHSCORES', 'LIMIT', 0, limit)
for i = 1, #due, 2 do
  candidates[#candidates + 1] = {tonumber(due[i + 1]), due[i]}
end
table.sort(candidates, function(a, b)
  if a[1] ~= b[1] then return a[1] < b[1] end
  return a[2] < b[2]
end)

local expiresAt = fmt(lnow + leaseMs)
for i = 1, math.min(limit, #candidates) do
  local id = candidates[i][2]
  local jk = key('job', id)
  rcall('HSET', jk, 'cOwner', owner, 'cExp', expiresAt, 'cToken', rcall('INCR', K.seq))
  rcall('ZREM', K.due, id)
  rcall('ZADD', K.claims, expiresAt, id)
  out[#out + 1] = rcall('HGETALL', jk)
end
return out
