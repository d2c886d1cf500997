--[[
  pruneExcess: trims every job's final runs to the retention count (after it was lowered), over one
  bounded step of the job index.

  ARGV[1] prefix
  ARGV[2] start after this job id ("" to start)
  ARGV[3] budget: most jobs to look at
  ARGV[4] retention: final runs kept per job

  Keys: P:jobs, P:finals:<jobId> (+ trimmed runs' keys)

  Returns {1, lastIdRead or "" when exhausted, number deleted}
]]
local after, budget = ARGV[2], tonumber(ARGV[3])
local min = after == '' and '-' or '(' .. after
local ids = rcall('ZRANGEBYLEX', K.jobs, min, '+', 'LIMIT', 0, budget)
local deleted = 0
for _, id in ipairs(ids) do
  deleted = deleted + trimFinals(id, tonumber(ARGV[4]))
end
return {1, #ids == budget and ids[#ids] or '', deleted}
