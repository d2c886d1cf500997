--[[
  renewRunLeases: extends the leases `owner` holds on `running` or `pending` runs to
  now + leaseMs (same token: renewing does not fence out the holder's own writes).

  ARGV[1] prefix
  ARGV[2] now (caller's clock)
  ARGV[3] owner
  ARGV[4] leaseMs
  ARGV[5] lease clock: "redis" or "caller"
  ARGV[6..] run ids

  Keys: P:run:<id>, P:leases

  Returns {1, lostId, lostId, ...}: the runs whose lease the owner no longer holds
]]
local owner = ARGV[3]
local expiresAt = fmt(leaseClock(ARGV[5], tonumber(ARGV[2])) + tonumber(ARGV[4]))
local out = {1}
for i = 6, #ARGV do
  local id = ARGV[i]
  local rk = key('run', id)
  local f = rcall('HMGET', rk, 'status', 'lOwner')
  if f[2] == owner and (f[1] == 'running' or f[1] == 'pending') then
    rcall('HSET', rk, 'lExp', expiresAt)
    rcall('ZADD', K.leases, expiresAt, id)
  else
    out[#out + 1] = id
  end
end
return out
