--[[
  insertJob: inserts a job, or replaces the definition of an existing one.

  ARGV[1] prefix
  ARGV[2] job id
  ARGV[3] "1" to replace an existing job, "0" to refuse it
  ARGV[4] now (epoch ms)
  ARGV[5..] field, value pairs of the full record (null fields left out, no claim)

  Keys: P:job:<id>, P:jobs, P:due, P:claims (read)

  Returns {1, <job hash as flat array>}
          {-2}  DUPLICATE_JOB: the id exists and ARGV[3] is "0"; nothing changed
]]
local id = ARGV[2]
local jk = key('job', id)

if rcall('EXISTS', jk) == 1 then
  if ARGV[3] ~= '1' then return {-2} end
  local given = {}
  for i = 5, #ARGV, 2 do given[ARGV[i]] = ARGV[i + 1] end
  -- The definition is replaced; counters, history and a claim in progress stay (the version bump
  -- tells the claim holder not to overwrite nextRunAt).
  for _, field in ipairs({'task', 'args', 'desc', 'trigger', 'policy', 'paused', 'next'}) do
    hsetOrDel(jk, field, given[field])
  end
  rcall('HSET', jk, 'updated', ARGV[4])
  rcall('HINCRBY', jk, 'version', 1)
else
  rcall('HSET', jk, unpack(ARGV, 5))
  rcall('ZADD', K.jobs, 0, id)
end
reindexJob(id)
return {1, rcall('HGETALL', jk)}
