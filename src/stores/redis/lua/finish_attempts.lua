--[[
  finishAttempts: for each item, ends the open attempt of a `running` run held by `owner` with
  `token`: to `retrying` when a retry time is given, else to the final outcome, updating the job's
  counters and last-run fields and promoting its oldest `waiting` run when no other live run is
  left. Items are independent: one whose lease was lost does not stop the others. One script for
  many runs: a worker sends the ends that arrived while its previous call was in flight.

  Replays: a re-sent command whose first execution recorded this very end (the run's last attempt
  ended at this `now`, by `owner`, with this outcome) answers the current state again.

  ARGV[1] prefix
  ARGV[2] lease clock: "redis" or "caller"
  ARGV[3] retention: final runs kept per job
  ARGV[4..] ten per item: run id, now (caller's clock), owner, token,
            outcome (succeeded | failed | timed-out | cancelled), error JSON or "", reason or "",
            retryAt or "" (caller's clock), leaseMs for a promoted waiting run, lean: "1" when the
            caller holds the run as its start returned it and builds the result itself

  Keys: P:run:<id>, P:job:<jobId>, P:live:<jobId>, P:waiting:<jobId>, P:finals:<jobId>, P:leases,
        P:retries, P:livelex, P:ended, P:seq, P:fseq (+ trimmed runs' keys)

  Returns {1, result, result, ...} in item order, where a result is
          {1, <run hash>, <promoted run hash or empty>}
          {2, <promoted run hash or empty>}  recorded, for a lean item (reading the whole run back
                would cost more than the rest of the finish)
          {0}   no such run (its job was removed)
          {-4}  LEASE_LOST: not running, or not leased to owner with token
]]
local maxRuns = tonumber(ARGV[3])

local function finishOne(runId, nowText, owner, token, outcome, errorText, reasonText, retryAt, leaseMs, lean)
  local now = tonumber(nowText)
  local errorJson = errorText ~= '' and errorText
  local reason = reasonText ~= '' and reasonText
  local rk = key('run', runId)
  local f = rcall('HMGET', rk, 'status', 'lOwner', 'lToken', 'jobId', 'n', 'lex', 'started')
  if not f[1] then return {0} end
  local jobId = f[4]
  local p = 'a' .. (f[5] or '0')
  if f[1] ~= 'running' or f[2] ~= owner or f[3] ~= token then
    local a = rcall('HMGET', rk, p .. 'e', p .. 'w', p .. 'o')
    if f[1] ~= 'running' and a[1] == nowText and a[2] == owner and a[3] == outcome then
      return {1, rcall('HGETALL', rk), {}}
    end
    return {-4}
  end
  -- Close the open attempt in the same write as the run's own fields.
  local attemptStart = rcall('HGET', rk, p .. 's')
  local set = {p .. 'e', nowText, p .. 'd', fmt(math.max(0, now - tonumber(attemptStart))), p .. 'o', outcome}
  if errorJson then
    set[#set + 1] = p .. 'x'
    set[#set + 1] = errorJson
  end
  if retryAt ~= '' then
    local del = {'lOwner', 'lExp', 'lToken'}
    set[#set + 1] = 'status'; set[#set + 1] = 'retrying'
    set[#set + 1] = 'nextAt'; set[#set + 1] = retryAt
    setOrDelete(set, del, {{'reason', reason}, {'error', errorJson}})
    rcall('HSET', rk, unpack(set))
    rcall('HDEL', rk, unpack(del))
    rcall('ZREM', K.leases, runId)
    rcall('ZADD', K.retries, retryAt, runId)
    if lean == '1' then return {2, {}} end
    return {1, rcall('HGETALL', rk), {}}
  end
  local active = finishRun(runId, jobId, outcome, outcome ~= 'succeeded' and reason, errorJson, now,
    maxRuns, {lex = f[6], started = f[7], attemptStart = attemptStart, set = set})
  local promoted = {}
  if active > 0 then
    local id = promoteWaiting(jobId, owner, leaseNow(ARGV[2], now) + tonumber(leaseMs))
    if id then promoted = rcall('HGETALL', key('run', id)) end
  end
  if lean == '1' then return {2, promoted} end
  return {1, rcall('HGETALL', rk), promoted}
end

local out = {1}
for i = 4, #ARGV, 10 do
  out[#out + 1] = finishOne(ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5],
    ARGV[i + 6], ARGV[i + 7], ARGV[i + 8], ARGV[i + 9])
end
return out
