--[[
  updateJob: applies a patch to one job, bumps its version and sets updatedAt.

  ARGV[1] prefix
  ARGV[2] job id
  ARGV[3] now (epoch ms)
  ARGV[4] n: how many field, value pairs follow
  ARGV[5 .. 4+2n] field, value pairs to set
  ARGV[5+2n ..] fields to delete (a patch to null: description, nextRunAt)

  Keys: P:job:<id>, P:due, P:claims (read)

  Returns {1, <job hash>}
          {-1}  JOB_NOT_FOUND
]]
local id = ARGV[2]
local jk = key('job', id)
if rcall('EXISTS', jk) == 0 then return {-1} end
local n = tonumber(ARGV[4])
for i = 5, 4 + 2 * n, 2 do
  rcall('HSET', jk, ARGV[i], ARGV[i + 1])
end
for i = 5 + 2 * n, #ARGV do
  rcall('HDEL', jk, ARGV[i])
end
rcall('HSET', jk, 'updated', ARGV[3])
rcall('HINCRBY', jk, 'version', 1)
reindexJob(id)
return {1, rcall('HGETALL', jk)}
