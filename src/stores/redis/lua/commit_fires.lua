--[[
  commitFires: writes what claim holders decided, each commit atomically (the whole batch is one
  script, so it is atomic as a whole too).

  A commit is applied only while the job's claim still carries its token (expired or not, as long
  as nobody claimed the job again). Then: its runs are inserted (ids that exist are skipped: an
  occurrence is recorded at most once, whoever commits it), `pending` ones leased to the committer
  until max(now, dueAt) + leaseMs, the job's counters updated, nextRunAt set when the job's version
  still matches, and the claim cleared.

  Replays: ioredis re-sends a command that was in flight when the connection dropped. A commit whose
  token was already applied (the job's commitToken) answers `ok` again with the runs it inserted
  that are still pending and leased to the committer, so that the replay's caller dispatches them
  instead of leaving them to expire.

  ARGV[1] prefix
  ARGV[2] now (caller's clock)
  ARGV[3] owner
  ARGV[4] leaseMs
  ARGV[5] lease clock: "redis" or "caller"
  ARGV[6] retention: final runs kept per job
  ARGV[7] JSON array of commits, every value a string:
          [{ "job": id, "token": claimToken, "version": jobVersion, "next": nextRunAt or "",
             "active": live runs when planned (only on a conditional commit),
             "runs": [{ "id", "status", "due", "ended", "count", "lex", "live": "1"|"0",
                        "fields": [field, value, ...] }] }]

  Keys: P:job:<id>, P:claims, P:due, P:seq, P:fseq, P:run:<runId>, P:lex, P:livelex, P:jlex:<id>,
        P:live:<id>, P:waiting:<id>, P:finals:<id>, P:leases, P:ended (+ deleted runs' keys)

  Returns {1, result, result, ...} where a result is
          {1, runId, leaseToken or "" or "paused", leaseExpiresAt or "", runId, ...}  ok, with the
               inserted runs ("paused": the job was paused since the claim, and the run, which would
               have been live, was recorded cancelled with reason job-paused)
          {2}  lease-lost: the claim is someone else's now; nothing written
          {3}  job-gone: the job was removed; nothing written
          {4}  changed: a conditional commit ("active": the job's live runs when planned) found the
               job's version, paused flag or live runs changed; nothing written, claim released
]]
local now = tonumber(ARGV[2])
local owner = ARGV[3]
local leaseMs = tonumber(ARGV[4])
local lnow = leaseClock(ARGV[5], now)
local maxRuns = tonumber(ARGV[6])
local commits = cjson.decode(ARGV[7])
local out = {1}

local function replayed(commit)
  local result = {1}
  for _, run in ipairs(commit.runs) do
    local f = rcall('HMGET', key('run', run.id), 'status', 'lOwner', 'lToken', 'lExp')
    if f[1] == 'pending' and f[2] == owner then
      result[#result + 1] = run.id
      result[#result + 1] = f[3]
      result[#result + 1] = f[4]
    end
  end
  return result
end

local function commitOne(commit)
  local jobId = commit.job
  local jk = key('job', jobId)
  local f = rcall('HMGET', jk, 'cToken', 'version', 'commitToken', 'id', 'paused', 'next', 'active')
  if not f[4] then return {3} end
  if f[1] ~= commit.token then
    if f[3] == commit.token then return replayed(commit) end
    return {2}
  end
  -- A conditional commit (planned ahead) for a job changed since it was planned: claim released.
  if commit.active and (f[2] ~= commit.version or f[5] == '1' or (f[7] or '0') ~= commit.active) then
    releaseClaim(jobId)
    return {4}
  end
  local result = {1}
  local active, skipped, missed = 0, 0, 0
  local paused = f[5] == '1'
  for _, run in ipairs(commit.runs) do
    local rk = key('run', run.id)
    if rcall('EXISTS', rk) == 0 then
      local fields = run.fields
      local token, expiresAt = '', ''
      if paused and run.live == '1' then
        -- Paused since the claim: what would have been live is recorded cancelled, as a pause
        -- cancels what has not started (the later pairs of an HSET win). The caller learns it from
        -- the token "paused".
        fields[#fields + 1] = 'status'; fields[#fields + 1] = 'cancelled'
        fields[#fields + 1] = 'reason'; fields[#fields + 1] = 'job-paused'
        fields[#fields + 1] = 'ended'; fields[#fields + 1] = ARGV[2]
        run.status, run.live, run.ended, token = 'cancelled', '0', ARGV[2], 'paused'
      end
      if run.status == 'pending' then
        -- A jittered run waits for its due time before it is dispatched: its lease counts from then.
        local e = lnow + math.max(0, tonumber(run.due) - now) + leaseMs
        token = rcall('INCR', K.seq)
        expiresAt = fmt(e)
        fields[#fields + 1] = 'lOwner'; fields[#fields + 1] = owner
        fields[#fields + 1] = 'lExp'; fields[#fields + 1] = expiresAt
        fields[#fields + 1] = 'lToken'; fields[#fields + 1] = token
        rcall('ZADD', K.leases, expiresAt, run.id)
      end
      rcall('HSET', rk, unpack(fields))
      rcall('ZADD', K.lex, 0, run.lex)
      rcall('ZADD', key('jlex', jobId), 0, run.lex)
      if run.live == '1' then
        active = active + 1
        rcall('SADD', key('live', jobId), run.id)
        rcall('ZADD', K.livelex, 0, run.lex)
        if run.status == 'waiting' then rcall('RPUSH', key('waiting', jobId), run.id) end
      else
        if run.status == 'skipped' then
          skipped = skipped + tonumber(run.count)
        elseif run.status == 'missed' then
          missed = missed + tonumber(run.count)
        end
        addFinal(jobId, run.id, run.ended, maxRuns)
      end
      result[#result + 1] = run.id
      result[#result + 1] = token
      result[#result + 1] = expiresAt
    end
  end
  -- The job: claim cleared (its token remembered for replays), counters, nextRunAt, due index.
  rcall('HDEL', jk, 'cOwner', 'cExp', 'cToken')
  rcall('ZREM', K.claims, jobId)
  local nextRunAt = f[6]
  if f[2] == commit.version then
    nextRunAt = commit.next ~= '' and commit.next
    if nextRunAt then
      rcall('HSET', jk, 'commitToken', commit.token, 'next', nextRunAt)
    else
      rcall('HSET', jk, 'commitToken', commit.token)
      rcall('HDEL', jk, 'next')
    end
  else
    rcall('HSET', jk, 'commitToken', commit.token)
  end
  if active > 0 then rcall('HINCRBY', jk, 'active', active) end
  if skipped > 0 then rcall('HINCRBY', jk, 'skipped', skipped) end
  if missed > 0 then rcall('HINCRBY', jk, 'missed', missed) end
  if f[5] ~= '1' and nextRunAt then
    rcall('ZADD', K.due, nextRunAt, jobId)
  else
    rcall('ZREM', K.due, jobId)
  end
  return result
end

for _, commit in ipairs(commits) do
  out[#out + 1] = commitOne(commit)
end
return out
