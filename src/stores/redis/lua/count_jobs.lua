#!lua flags=no-writes
--[[
  countJobs: counts jobs by derived status over one bounded step of the id index (the caller sums
  the steps: a count over many jobs is not one atomic snapshot, which the API's counts do not need).

  ARGV[1] prefix
  ARGV[2] start after this id ("" to start)
  ARGV[3] budget: most index entries to read

  Keys: P:jobs, P:job:<id>

  Returns {1, lastIdRead or "" when exhausted, scheduled, running, paused, completed, failed}
]]
local after, budget = ARGV[2], tonumber(ARGV[3])
local min = after == '' and '-' or '(' .. after
local ids = rcall('ZRANGEBYLEX', K.jobs, min, '+', 'LIMIT', 0, budget)
local counts = {scheduled = 0, running = 0, paused = 0, completed = 0, failed = 0}
for _, id in ipairs(ids) do
  local f = rcall('HMGET', key('job', id), 'paused', 'active', 'next', 'lastOutcome', 'task')
  if f[5] then
    local s = jobStatus(f[1], f[2], f[3], f[4])
    counts[s] = counts[s] + 1
  end
end
local last = #ids == budget and ids[#ids] or ''
return {1, last, counts.scheduled, counts.running, counts.paused, counts.completed, counts.failed}
