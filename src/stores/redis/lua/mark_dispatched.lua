--[[
  markDispatched: `pending` -> `dispatched` for runs the caller, holding their lease, handed to a
  queue. The lease is dropped: a queued run belongs to the queue until a worker starts it.

  ARGV[1] prefix
  ARGV[2] owner
  ARGV[3..] run ids

  Keys: P:run:<id>, P:leases

  Returns {1, lostId, lostId, ...}: the runs not pending or not leased to the caller, left alone
]]
local owner = ARGV[2]
local out = {1}
for i = 3, #ARGV do
  local id = ARGV[i]
  local rk = key('run', id)
  local f = rcall('HMGET', rk, 'status', 'lOwner')
  if f[1] == 'pending' and f[2] == owner then
    rcall('HSET', rk, 'status', 'dispatched')
    clearLease(rk, id)
  else
    out[#out + 1] = id
  end
end
return out
