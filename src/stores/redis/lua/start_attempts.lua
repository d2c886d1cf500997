--[[
  startAttempts: for each item, starts the next attempt of a `pending` run leased with the item's
  token, or of a `dispatched` or `retrying` run (no token): status `running`, a new attempt, a new
  lease for `owner`. The first attempt sets the run's startedAt and the job's lastRunStartedAt /
  lastRunId. Items are independent: one that is not startable does not stop the others. One script
  for many runs: a worker sends the starts that arrived while its previous call was in flight.

  Replays: a re-sent command whose first execution started the attempt (running, leased to
  `owner`, open attempt started at this `now` by `owner`) answers that run again.

  ARGV[1] prefix
  ARGV[2] lease clock: "redis" or "caller"
  ARGV[3..] six per item: run id, now (caller's clock), owner, lease token held on a pending
            run or "", leaseMs, lean: "1" when the caller holds the run as it was fired and builds
            the result of a first attempt itself

  Keys: P:run:<id>, P:job:<jobId>, P:leases, P:retries, P:seq

  Returns {1, result, result, ...} in item order, where a result is
          {1, <run hash>}
          {2, leaseToken, leaseExpiresAt}  the first attempt started, for a lean item (reading the
                whole run back would cost more than the rest of the start)
          {0}   no such run, or not startable (running elsewhere, waiting, final)
          {-3, leaseOwner}  LEASE_LOST: pending with another token
]]
local function startOne(runId, now, owner, heldToken, leaseMs, lean)
  local rk = key('run', runId)
  local f = rcall('HMGET', rk, 'status', 'lToken', 'lOwner', 'n', 'jobId')
  local status = f[1]
  if not status then return {0} end
  local n = tonumber(f[4] or '0')
  if status == 'pending' then
    if f[2] ~= heldToken then return {-3, f[3] or ''} end
  elseif status == 'running' then
    local a = rcall('HMGET', rk, 'a' .. n .. 's', 'a' .. n .. 'w', 'a' .. n .. 'e')
    if f[3] == owner and a[1] == now and a[2] == owner and not a[3] then
      return {1, rcall('HGETALL', rk)}
    end
    return {0}
  elseif status ~= 'dispatched' and status ~= 'retrying' then
    return {0}
  end
  n = n + 1
  local p = 'a' .. n
  local token = rcall('INCR', K.seq)
  local expiresAt = fmt(leaseNow(ARGV[2], tonumber(now)) + tonumber(leaseMs))
  -- One write for the new attempt, the status and the lease.
  local set = {'status', 'running', 'n', n, 'worker', owner, p .. 's', now, p .. 'w', owner,
    'lOwner', owner, 'lExp', expiresAt, 'lToken', token}
  if n == 1 then
    set[#set + 1] = 'started'
    set[#set + 1] = now
  end
  rcall('HSET', rk, unpack(set))
  rcall('ZADD', K.leases, expiresAt, runId)
  if status == 'retrying' then
    rcall('HDEL', rk, 'nextAt')
    rcall('ZREM', K.retries, runId)
  end
  if n == 1 then
    local jk = key('job', f[5])
    if rcall('EXISTS', jk) == 1 then rcall('HSET', jk, 'lastStart', now, 'lastId', runId) end
    if lean == '1' then return {2, token, expiresAt} end
  end
  return {1, rcall('HGETALL', rk)}
end

local out = {1}
for i = 3, #ARGV, 6 do
  out[#out + 1] = startOne(ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5])
end
return out
