--[[
  cancelRun: finishes a live run that is not executing (pending, waiting, dispatched, retrying) as
  `cancelled` with a reason, updating the job's counters. An executing run is cancelled by whoever
  executes it (a message on the control channel reaches the worker).

  ARGV[1] prefix
  ARGV[2] run id
  ARGV[3] now (caller's clock)
  ARGV[4] reason
  ARGV[5] retention: final runs kept per job
  ARGV[6] owner of a promoted waiting run
  ARGV[7] leaseMs for a promoted waiting run
  ARGV[8] lease clock: "redis" or "caller"

  Keys: P:run:<id>, P:job:<jobId>, P:live:<jobId>, P:waiting:<jobId>, P:finals:<jobId>, P:leases,
        P:retries, P:livelex, P:ended, P:fseq (+ trimmed runs' keys)

  Returns {1, <run hash>, <promoted run hash or empty>}
          {0}   no such run, or executing, or final
]]
local runId = ARGV[2]
local rk = key('run', runId)
local f = rcall('HMGET', rk, 'status', 'jobId')
local status, jobId = f[1], f[2]
if status ~= 'pending' and status ~= 'waiting' and status ~= 'dispatched' and status ~= 'retrying' then
  return {0}
end
rcall('HSET', rk, 'status', 'cancelled', 'reason', ARGV[4], 'ended', ARGV[3])
rcall('HDEL', rk, 'nextAt')
clearLease(rk, runId)
rcall('ZREM', K.retries, runId)
if status == 'waiting' then rcall('LREM', key('waiting', jobId), 0, runId) end
leaveLive(rk, runId, jobId)
local jk = key('job', jobId)
local promoted = {}
local snapshot = rcall('HGETALL', rk)
addFinal(jobId, runId, ARGV[3], tonumber(ARGV[5]))
if rcall('EXISTS', jk) == 1 then
  if rcall('HINCRBY', jk, 'active', -1) < 0 then rcall('HSET', jk, 'active', 0) end
  -- Overlap `queue`: the cancelled run may have been the last one ahead of a waiting run.
  local id = promoteWaiting(jobId, ARGV[6], leaseClock(ARGV[8], tonumber(ARGV[3])) + tonumber(ARGV[7]))
  if id then promoted = rcall('HGETALL', key('run', id)) end
end
return {1, snapshot, promoted}
