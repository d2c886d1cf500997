--[[
  Helpers shared by the cronq scripts. Not an operation: the loader (scripts.ts) puts this text
  before the body of every lua/<op>.lua, after the op's optional `#!lua` shebang line.

  Conventions:
  - ARGV[1] is always the key prefix P. Keys are built here from ids, so the scripts name them in
    their headers instead of KEYS: cronq runs on a standalone Redis (or one behind Sentinel), not on
    a Redis Cluster.
  - Numbers cross the boundary as decimal strings; values computed here are written with fmt()
    (`%.17g`), which keeps epoch milliseconds exact, where tostring() would round past 14 digits.
  - JSON the caller wrote (args, trigger, policy, errors) is stored and returned as opaque strings:
    cjson would turn `[]` into `{}` and round numbers of the user's data.
  - A script answers a table whose first element is a status: 1 for done, 0 for "nothing there",
    a negative code for an error that errors.ts maps to a CronqError.

  Key layout (P = prefix):
    P:seq            fencing-token counter            P:fseq      order in which runs became final
    P:jobs           ZSET(0) of job ids, for paging   P:job:<id>  HASH job
    P:due            ZSET job id -> nextRunAt of unclaimed, unpaused jobs (caller's clock)
    P:claims         ZSET job id -> claim expiry (lease clock)
    P:run:<id>       HASH run                         P:lex       ZSET(0) "<time>|<runId>" of all runs
    P:livelex        ZSET(0) "<time>|<runId>" of live runs
    P:jlex:<jobId>   ZSET(0) "<time>|<runId>" of one job's runs
    P:live:<jobId>   SET of the job's live run ids    P:waiting:<jobId>  LIST of waiting run ids, oldest first
    P:finals:<jobId> ZSET run id -> P:fseq value (retention order)
    P:retries        ZSET run id -> nextAttemptAt (caller's clock)
    P:leases         ZSET run id -> lease expiry (lease clock)
    P:ended          ZSET run id -> endedAt of final runs (age-based pruning)
]]
local rcall = redis.call
local P = ARGV[1]

local K = {
  seq = P .. ':seq',
  fseq = P .. ':fseq',
  jobs = P .. ':jobs',
  due = P .. ':due',
  claims = P .. ':claims',
  lex = P .. ':lex',
  livelex = P .. ':livelex',
  retries = P .. ':retries',
  leases = P .. ':leases',
  ended = P .. ':ended',
}

local function key(kind, id)
  return P .. ':' .. kind .. ':' .. id
end

local function fmt(n)
  return string.format('%.17g', n)
end

-- The clock leases are measured on: Redis's own (TIME) so that replicas on machines whose clocks
-- disagree still agree on when a lease expires, or the caller's `now` (tests on a fake clock).
local function leaseClock(mode, now)
  if mode == 'redis' then
    local t = rcall('TIME')
    return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  return now
end

-- leaseClock for scripts that handle many items, each with its own `now`: Redis's clock is read
-- once per script.
local redisTime
local function leaseNow(mode, now)
  if mode ~= 'redis' then return now end
  redisTime = redisTime or leaseClock(mode, now)
  return redisTime
end

-- Appends each {field, value} of `pairs` to the HSET list `set` when it has a value, else to the
-- HDEL list `del`: a hash written with one HSET and one HDEL.
local function setOrDelete(set, del, pairs)
  for _, fv in ipairs(pairs) do
    if fv[2] then
      set[#set + 1] = fv[1]; set[#set + 1] = fv[2]
    else
      del[#del + 1] = fv[1]
    end
  end
end

-- `value` or delete the field when it is nil/false.
local function hsetOrDel(k, field, value)
  if value then
    rcall('HSET', k, field, value)
  else
    rcall('HDEL', k, field)
  end
end

-- ISO 8601 in UTC, for messages (civil-from-days, H. Hinnant): Redis's Lua has no os.date.
local function isoTime(ms)
  local s = math.floor(ms / 1000)
  local msPart = ms - s * 1000
  local days = math.floor(s / 86400)
  local secs = s - days * 86400
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then y = y + 1 end
  return string.format('%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', y, m, d, math.floor(secs / 3600),
    math.floor((secs % 3600) / 60), secs % 60, msPart)
end

-- ---- Jobs ---------------------------------------------------------------------------------

-- Puts a job in the index matching its state: claimed (left in P:claims), due (P:due), or neither.
-- A claim whose expiry was handled (removed from P:claims) stays in the hash as a stale claim: its
-- holder may still commit with its token as long as nobody claims the job again.
local function reindexJob(id)
  local f = rcall('HMGET', key('job', id), 'paused', 'next', 'cToken')
  if f[3] and rcall('ZSCORE', K.claims, id) then
    rcall('ZREM', K.due, id)
  elseif f[1] == '1' or not f[2] then
    rcall('ZREM', K.due, id)
  else
    rcall('ZADD', K.due, f[2], id)
  end
end

-- Clears a job's claim and puts it back in the due index if it is due.
local function releaseClaim(id)
  rcall('HDEL', key('job', id), 'cOwner', 'cExp', 'cToken')
  rcall('ZREM', K.claims, id)
  reindexJob(id)
end

-- The job's status as jobStatusOf() derives it (store.ts).
local function jobStatus(paused, active, nextRunAt, lastOutcome)
  if paused == '1' then return 'paused' end
  if tonumber(active or '0') > 0 then return 'running' end
  if nextRunAt then return 'scheduled' end
  if lastOutcome == 'failed' or lastOutcome == 'timed-out' then return 'failed' end
  return 'completed'
end

-- ---- Runs ---------------------------------------------------------------------------------

local function setLease(rk, runId, owner, expiresAt)
  local token = rcall('INCR', K.seq)
  rcall('HSET', rk, 'lOwner', owner, 'lExp', fmt(expiresAt), 'lToken', token)
  rcall('ZADD', K.leases, fmt(expiresAt), runId)
  return token
end

local function clearLease(rk, runId)
  rcall('HDEL', rk, 'lOwner', 'lExp', 'lToken')
  rcall('ZREM', K.leases, runId)
end

-- Deletes a run and every index entry of it.
local function deleteRun(runId, jobId)
  local rk = key('run', runId)
  local lex = rcall('HGET', rk, 'lex')
  if lex then
    rcall('ZREM', K.lex, lex)
    rcall('ZREM', K.livelex, lex)
    rcall('ZREM', key('jlex', jobId), lex)
  end
  rcall('ZREM', K.leases, runId)
  rcall('ZREM', K.retries, runId)
  rcall('ZREM', K.ended, runId)
  rcall('ZREM', key('finals', jobId), runId)
  rcall('SREM', key('live', jobId), runId)
  rcall('DEL', rk)
end

-- Retention as runs finish: deletes the job's oldest final runs beyond maxRuns. Returns how many.
local function trimFinals(jobId, maxRuns)
  local fk = key('finals', jobId)
  local excess = rcall('ZCARD', fk) - maxRuns
  if excess <= 0 then return 0 end
  local popped = rcall('ZPOPMIN', fk, excess)
  for i = 1, #popped, 2 do
    deleteRun(popped[i], jobId)
  end
  return excess
end

local function addFinal(jobId, runId, endedAt, maxRuns)
  rcall('ZADD', key('finals', jobId), rcall('INCR', K.fseq), runId)
  rcall('ZADD', K.ended, endedAt, runId)
  return trimFinals(jobId, maxRuns)
end

-- Leaves the live indexes (not the waiting list: callers that need it do it).
local function leaveLive(rk, runId, jobId)
  rcall('SREM', key('live', jobId), runId)
  local lex = rcall('HGET', rk, 'lex')
  if lex then rcall('ZREM', K.livelex, lex) end
end

-- Closes the open attempt (the last one, if it has no end) with an outcome.
local function closeAttempt(rk, now, outcome, errorJson)
  local n = tonumber(rcall('HGET', rk, 'n') or '0')
  if n == 0 then return end
  local p = 'a' .. n
  if rcall('HEXISTS', rk, p .. 'e') == 1 then return end
  local started = tonumber(rcall('HGET', rk, p .. 's'))
  rcall('HSET', rk, p .. 'e', fmt(now), p .. 'd', fmt(math.max(0, now - started)), p .. 'o', outcome)
  if errorJson then rcall('HSET', rk, p .. 'x', errorJson) end
end

-- A run whose attempts are closed becomes final, and its job's counters and last-run fields
-- follow. Written for the hot path (every finished run): one write per hash where possible.
-- `run` holds what the caller already read: lex, started (the run's first start), attemptStart
-- (the last attempt's start, or false), and fields to set in the same HSET (a closed attempt).
-- Returns the job's activeRuns afterwards (0 when the job is gone).
local function finishRun(runId, jobId, outcome, reason, errorJson, now, maxRuns, run)
  local rk = key('run', runId)
  local dur = run.attemptStart and fmt(math.max(0, now - tonumber(run.attemptStart))) or false
  local set = run.set or {}
  local del = {'lOwner', 'lExp', 'lToken', 'nextAt'}
  set[#set + 1] = 'status'; set[#set + 1] = outcome
  set[#set + 1] = 'ended'; set[#set + 1] = fmt(now)
  setOrDelete(set, del, {{'reason', reason}, {'dur', dur}, {'error', errorJson}})
  rcall('HSET', rk, unpack(set))
  rcall('HDEL', rk, unpack(del))
  rcall('ZREM', K.leases, runId)
  rcall('ZREM', K.retries, runId)
  rcall('SREM', key('live', jobId), runId)
  if run.lex then rcall('ZREM', K.livelex, run.lex) end
  local jk = key('job', jobId)
  local active = 0
  if rcall('EXISTS', jk) == 1 then
    active = rcall('HINCRBY', jk, 'active', -1)
    if active < 0 then
      rcall('HSET', jk, 'active', 0)
      active = 0
    end
    rcall('HINCRBY', jk, 'runs', 1)
    if outcome == 'failed' or outcome == 'timed-out' then rcall('HINCRBY', jk, 'failures', 1) end
    local jset = {'lastId', runId, 'lastEnd', fmt(now), 'lastOutcome', outcome}
    local jdel = {}
    setOrDelete(jset, jdel, {{'lastStart', run.started}, {'lastDur', dur},
      {'lastError', outcome ~= 'succeeded' and errorJson}})
    rcall('HSET', jk, unpack(jset))
    if #jdel > 0 then rcall('HDEL', jk, unpack(jdel)) end
  end
  addFinal(jobId, runId, fmt(now), maxRuns)
  return active
end

-- Overlap `queue`: when the job's only live runs left are waiting ones, the oldest becomes pending,
-- leased to `owner`, who must dispatch it. Returns its id or nil.
local function promoteWaiting(jobId, owner, expiresAt)
  local wk = key('waiting', jobId)
  local waiting = rcall('LLEN', wk)
  if waiting == 0 or rcall('SCARD', key('live', jobId)) > waiting then return nil end
  local id = rcall('LPOP', wk)
  local rk = key('run', id)
  rcall('HSET', rk, 'status', 'pending')
  setLease(rk, id, owner, expiresAt)
  return id
end
