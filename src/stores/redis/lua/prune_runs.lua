--[[
  pruneRuns: deletes up to `chunk` final runs that ended before `cutoff` (age-based retention);
  live runs are never in the index it reads. The caller repeats while a full chunk was deleted, so
  that a large prune never blocks Redis for long.

  ARGV[1] prefix
  ARGV[2] cutoff (epoch ms)
  ARGV[3] chunk

  Keys: P:ended, P:run:<id>, P:lex, P:jlex:<jobId>, P:finals:<jobId>

  Returns {1, number deleted}
]]
local ids = rcall('ZRANGEBYSCORE', K.ended, '-inf', '(' .. ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  local jobId = rcall('HGET', key('run', id), 'jobId')
  if jobId then
    deleteRun(id, jobId)
  else
    rcall('ZREM', K.ended, id)
  end
end
return {1, #ids}
