#!lua flags=no-writes
--[[
  listJobs: one page of jobs in id order, filtered, read from the id index in bounded steps so that
  a long listing never blocks Redis: it stops after `budget` index entries and says where it got to,
  and the caller asks again from there until the page is full.

  ARGV[1] prefix
  ARGV[2] start after this id ("" for the first page)
  ARGV[3] most jobs to return
  ARGV[4] task name filter or ""
  ARGV[5] comma-separated derived statuses or ""
  ARGV[6] lowercase search text or "" (substring of id, task name or description; ASCII case-folding)
  ARGV[7] budget: most index entries to read

  Keys: P:jobs, P:job:<id>

  Returns {1, lastIdRead or "" when the index is exhausted, <job hash>, <job hash>, ...}
]]
local after, want, taskName = ARGV[2], tonumber(ARGV[3]), ARGV[4]
local search, budget = ARGV[6], tonumber(ARGV[7])
local statuses = nil
if ARGV[5] ~= '' then
  statuses = {}
  for s in string.gmatch(ARGV[5], '[^,]+') do statuses[s] = true end
end
local min = after == '' and '-' or '(' .. after
local ids = rcall('ZRANGEBYLEX', K.jobs, min, '+', 'LIMIT', 0, budget)
local out = {1, ''}
local last = ''
for _, id in ipairs(ids) do
  last = id
  local jk = key('job', id)
  local f = rcall('HMGET', jk, 'task', 'paused', 'active', 'next', 'lastOutcome', 'desc')
  local ok = f[1] ~= false
  if ok and taskName ~= '' and f[1] ~= taskName then ok = false end
  if ok and statuses and not statuses[jobStatus(f[2], f[3], f[4], f[5])] then ok = false end
  if ok and search ~= '' then
    local desc = f[6] and cjson.decode(f[6]) or ''
    ok = string.find(string.lower(id), search, 1, true) ~= nil
      or string.find(string.lower(f[1]), search, 1, true) ~= nil
      or (type(desc) == 'string' and string.find(string.lower(desc), search, 1, true) ~= nil)
  end
  if ok then
    out[#out + 1] = rcall('HGETALL', jk)
    if #out - 2 >= want then break end
  end
end
-- Fewer entries than the budget and the page not full: the index is exhausted.
if #ids == budget or #out - 2 >= want then out[2] = last end
return out
