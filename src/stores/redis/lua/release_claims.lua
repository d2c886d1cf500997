--[[
  releaseClaims: clears every claim `owner` holds (a stopping scheduler), so that another replica
  can fire those jobs at once instead of waiting for the claims to expire.

  ARGV[1] prefix
  ARGV[2] owner

  Keys: P:claims, P:due, P:job:<id> of claimed jobs

  Returns {1, number of claims cleared}
]]
local owner = ARGV[2]
local cleared = 0
for _, id in ipairs(rcall('ZRANGE', K.claims, 0, -1)) do
  if rcall('HGET', key('job', id), 'cOwner') == owner then
    releaseClaim(id)
    cleared = cleared + 1
  end
end
return {1, cleared}
