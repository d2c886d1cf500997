--[[
  removeJob: deletes a job and every run of it (live runs too: whoever executes one finds nothing
  to record, finishAttempt answers null).

  ARGV[1] prefix
  ARGV[2] job id

  Keys: P:job:<id>, P:jobs, P:due, P:claims, P:jlex:<id>, P:live:<id>, P:waiting:<id>,
        P:finals:<id>, P:run:<runId> of each run, P:lex, P:livelex, P:leases, P:retries, P:ended

  Returns {1, <job hash before deletion>}
          {0}   no such job
]]
local id = ARGV[2]
local jk = key('job', id)
local record = rcall('HGETALL', jk)
if #record == 0 then return {0} end
local jlex = key('jlex', id)
-- Every run of the job is in its lex index; members are "<16-digit time>|<run id>".
local members = rcall('ZRANGE', jlex, 0, -1)
for _, member in ipairs(members) do
  deleteRun(string.sub(member, 18), id)
end
rcall('DEL', jk, jlex, key('live', id), key('waiting', id), key('finals', id))
rcall('ZREM', K.jobs, id)
rcall('ZREM', K.due, id)
rcall('ZREM', K.claims, id)
return {1, record}
