--[[
  claimRunsForDispatch: hands `owner` up to `limit` runs that someone must (re)dispatch, each
  `pending` and leased to `owner`:
  1. `retrying` runs whose nextAttemptAt <= now;
  2. `pending` or `running` runs whose lease expired (on the lease clock) and whose owner is not
     `owner`. A running one gets its open attempt closed as `interrupted` (error LEASE_LOST saying
     whose lease expired when); with no attempt left it is finished as failed (reason `interrupted`)
     instead, and the waiting run that frees, if any (overlap `queue`), is returned in its place.

  ARGV[1] prefix
  ARGV[2] now (caller's clock: nextAttemptAt is compared with it)
  ARGV[3] owner
  ARGV[4] leaseMs
  ARGV[5] limit
  ARGV[6] lease clock: "redis" or "caller"
  ARGV[7] retention: final runs kept per job

  Keys: P:retries, P:leases, P:seq, P:fseq, P:run:<id>, P:job:<jobId>, P:live:<jobId>,
        P:waiting:<jobId>, P:finals:<jobId>, P:livelex, P:ended (+ trimmed runs' keys)

  Returns {1, <run hash>, <run hash>, ...}
]]
local now = tonumber(ARGV[2])
local owner = ARGV[3]
local leaseMs = tonumber(ARGV[4])
local limit = tonumber(ARGV[5])
local lnow = leaseClock(ARGV[6], now)
local maxRuns = tonumber(ARGV[7])
local out = {1}
if limit <= 0 then return out end
local expiresAt = lnow + leaseMs

local retries = rcall('ZRANGEBYSCORE', K.retries, '-inf', ARGV[2], 'LIMIT', 0, limit)
for _, id in ipairs(retries) do
  local rk = key('run', id)
  rcall('ZREM', K.retries, id)
  if rcall('HGET', rk, 'status') == 'retrying' then
    rcall('HSET', rk, 'status', 'pending')
    rcall('HDEL', rk, 'nextAt')
    setLease(rk, id, owner, expiresAt)
    out[#out + 1] = rcall('HGETALL', rk)
  end
end

-- Expired leases, oldest first, skipping the caller's own (its executor still holds those). Runs
-- finished as interrupted do not fill the batch, so read on until it is full or none is left.
local offset = 0
while #out - 1 < limit do
  local page = rcall('ZRANGEBYSCORE', K.leases, '-inf', fmt(lnow), 'LIMIT', offset, limit)
  if #page == 0 then break end
  for _, id in ipairs(page) do
    if #out - 1 >= limit then break end
    local rk = key('run', id)
    local f = rcall('HMGET', rk, 'status', 'lOwner', 'lExp', 'jobId', 'n', 'maxAttempts')
    if f[2] == owner then
      offset = offset + 1
    elseif f[1] == 'pending' then
      setLease(rk, id, owner, expiresAt)
      out[#out + 1] = rcall('HGETALL', rk)
    elseif f[1] == 'running' then
      local errorJson = cjson.encode({
        name = 'LeaseLostError',
        code = 'LEASE_LOST',
        message = 'Run ' .. id .. ' was interrupted: ' .. (f[2] or 'its executor') ..
          ' stopped renewing its lease, which expired at ' .. isoTime(tonumber(f[3]) or lnow) .. '.',
      })
      closeAttempt(rk, now, 'interrupted', errorJson)
      if tonumber(f[5] or '0') < tonumber(f[6] or '1') then
        rcall('HSET', rk, 'status', 'pending')
        setLease(rk, id, owner, expiresAt)
        out[#out + 1] = rcall('HGETALL', rk)
      else
        local r = rcall('HMGET', rk, 'lex', 'started', 'a' .. f[5] .. 's')
        local active = finishRun(id, f[4], 'failed', 'interrupted', errorJson, now, maxRuns,
          {lex = r[1], started = r[2], attemptStart = r[3]})
        local promoted = active > 0 and promoteWaiting(f[4], owner, expiresAt)
        if promoted then out[#out + 1] = rcall('HGETALL', key('run', promoted)) end
      end
    else
      -- A lease on a run in no leased state (cannot happen through these scripts): drop the entry.
      rcall('ZREM', K.leases, id)
    end
  end
end
return out
