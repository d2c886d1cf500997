--[[
  insertRun: records a run no trigger produced (a manual run): live, `pending`, leased to `owner`,
  counted in the job's activeRuns.

  ARGV[1] prefix
  ARGV[2] run id
  ARGV[3] job id
  ARGV[4] now (caller's clock)
  ARGV[5] owner
  ARGV[6] leaseMs (0 hands the run to whichever replica looks next)
  ARGV[7] lease clock: "redis" or "caller"
  ARGV[8] lex member "<time>|<run id>"
  ARGV[9..] field, value pairs of the record (status pending, no lease)

  Keys: P:job:<jobId>, P:run:<id>, P:lex, P:livelex, P:jlex:<jobId>, P:live:<jobId>, P:leases, P:seq

  Returns {1, leaseToken, leaseExpiresAt}
          {0}   no such job
          {-2}  the run id exists (answered as `false`, not as an error)
]]
local runId, jobId = ARGV[2], ARGV[3]
local jk = key('job', jobId)
if rcall('EXISTS', jk) == 0 then return {0} end
local rk = key('run', runId)
if rcall('EXISTS', rk) == 1 then return {-2} end
local lnow = leaseClock(ARGV[7], tonumber(ARGV[4]))
rcall('HSET', rk, unpack(ARGV, 9))
local expiresAt = lnow + tonumber(ARGV[6])
local token = setLease(rk, runId, ARGV[5], expiresAt)
rcall('ZADD', K.lex, 0, ARGV[8])
rcall('ZADD', K.livelex, 0, ARGV[8])
rcall('ZADD', key('jlex', jobId), 0, ARGV[8])
rcall('SADD', key('live', jobId), runId)
rcall('HINCRBY', jk, 'active', 1)
return {1, token, fmt(expiresAt)}
