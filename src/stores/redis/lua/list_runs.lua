#!lua flags=no-writes
--[[
  listRuns: one page of runs, newest first (scheduledAt, then id, both descending), read from a
  lex index of "<16-digit time>|<run id>" members in bounded steps: it stops after `budget` entries
  and says where it got to, and the caller asks again from there until the page is full.

  ARGV[1] prefix
  ARGV[2] index: "all" (P:lex), "live" (P:livelex) or "job" (P:jlex:<ARGV[3]>)
  ARGV[3] job id (for "job"; also filters the "live" index when not "")
  ARGV[4] upper bound, exclusive, as a ZREVRANGEBYLEX max ("+" for none)
  ARGV[5] lower bound, inclusive, as a ZREVRANGEBYLEX min ("-" for none)
  ARGV[6] comma-separated statuses or ""
  ARGV[7] most runs to return
  ARGV[8] budget: most index entries to read

  Keys: P:lex | P:livelex | P:jlex:<jobId>, P:run:<id>

  Returns {1, lastMemberRead or "" when exhausted, <run hash>, <run hash>, ...}
]]
local index = ARGV[2] == 'all' and K.lex or ARGV[2] == 'live' and K.livelex or key('jlex', ARGV[3])
local jobId = ARGV[3]
local want, budget = tonumber(ARGV[7]), tonumber(ARGV[8])
local statuses = nil
if ARGV[6] ~= '' then
  statuses = {}
  for s in string.gmatch(ARGV[6], '[^,]+') do statuses[s] = true end
end
local members = rcall('ZREVRANGEBYLEX', index, ARGV[4], ARGV[5], 'LIMIT', 0, budget)
local out = {1, ''}
local last = ''
for _, member in ipairs(members) do
  last = member
  local rk = key('run', string.sub(member, 18))
  local f = rcall('HMGET', rk, 'status', 'jobId')
  local ok = f[1] ~= false
  if ok and statuses and not statuses[f[1]] then ok = false end
  if ok and jobId ~= '' and f[2] ~= jobId then ok = false end
  if ok then
    out[#out + 1] = rcall('HGETALL', rk)
    if #out - 2 >= want then break end
  end
end
if #members == budget or #out - 2 >= want then out[2] = last end
return out
