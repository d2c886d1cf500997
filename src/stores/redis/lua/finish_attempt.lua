--[[
  finishAttempt: ends the open attempt of a `running` run held by `owner` with `token`: to
  `retrying` when a retry time is given, else to the final outcome, updating the job's counters
  and last-run fields and promoting its oldest `waiting` run when no other live run is left.

  Replays: a re-sent command whose first execution recorded this very end (the run's last attempt
  ended at this `now`, by `owner`, with this outcome) answers the current state again.

  ARGV[1] prefix
  ARGV[2] run id
  ARGV[3] now (caller's clock)
  ARGV[4] owner
  ARGV[5] token
  ARGV[6] outcome: succeeded | failed | timed-out | cancelled
  ARGV[7] error JSON or ""
  ARGV[8] reason or ""
  ARGV[9] retryAt or "" (caller's clock)
  ARGV[10] leaseMs for a promoted waiting run
  ARGV[11] lease clock: "redis" or "caller"
  ARGV[12] retention: final runs kept per job

  Keys: P:run:<id>, P:job:<jobId>, P:live:<jobId>, P:waiting:<jobId>, P:finals:<jobId>, P:leases,
        P:retries, P:livelex, P:ended, P:seq, P:fseq (+ trimmed runs' keys)

  Returns {1, <run hash>, <promoted run hash or empty>}
          {0}   no such run (its job was removed)
          {-4}  LEASE_LOST: not running, or not leased to owner with token
]]
local runId, owner = ARGV[2], ARGV[4]
local now = tonumber(ARGV[3])
local outcome = ARGV[6]
local errorJson = ARGV[7] ~= '' and ARGV[7]
local reason = ARGV[8] ~= '' and ARGV[8]
local rk = key('run', runId)
local f = rcall('HMGET', rk, 'status', 'lOwner', 'lToken', 'jobId', 'n', 'lex', 'started')
if not f[1] then return {0} end
local jobId = f[4]
local p = 'a' .. (f[5] or '0')
if f[1] ~= 'running' or f[2] ~= owner or f[3] ~= ARGV[5] then
  local a = rcall('HMGET', rk, p .. 'e', p .. 'w', p .. 'o')
  if f[1] ~= 'running' and a[1] == ARGV[3] and a[2] == owner and a[3] == outcome then
    return {1, rcall('HGETALL', rk), {}}
  end
  return {-4}
end
-- Close the open attempt in the same write as the run's own fields.
local attemptStart = rcall('HGET', rk, p .. 's')
local set = {p .. 'e', ARGV[3], p .. 'd', fmt(math.max(0, now - tonumber(attemptStart))), p .. 'o', outcome}
if errorJson then
  set[#set + 1] = p .. 'x'
  set[#set + 1] = errorJson
end
if ARGV[9] ~= '' then
  local del = {'lOwner', 'lExp', 'lToken'}
  set[#set + 1] = 'status'; set[#set + 1] = 'retrying'
  set[#set + 1] = 'nextAt'; set[#set + 1] = ARGV[9]
  for _, fv in ipairs({{'reason', reason}, {'error', errorJson}}) do
    if fv[2] then
      set[#set + 1] = fv[1]; set[#set + 1] = fv[2]
    else
      del[#del + 1] = fv[1]
    end
  end
  rcall('HSET', rk, unpack(set))
  rcall('HDEL', rk, unpack(del))
  rcall('ZREM', K.leases, runId)
  rcall('ZADD', K.retries, ARGV[9], runId)
  return {1, rcall('HGETALL', rk), {}}
end
local active = finishRun(runId, jobId, outcome, outcome ~= 'succeeded' and reason, errorJson, now,
  tonumber(ARGV[12]), {lex = f[6], started = f[7], attemptStart = attemptStart, set = set})
local promoted = {}
if active > 0 then
  local id = promoteWaiting(jobId, owner, leaseClock(ARGV[11], now) + tonumber(ARGV[10]))
  if id then promoted = rcall('HGETALL', key('run', id)) end
end
return {1, rcall('HGETALL', rk), promoted}
