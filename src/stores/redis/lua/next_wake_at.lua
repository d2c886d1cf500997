#!lua flags=no-writes
--[[
  nextWakeAt: the earliest instant at which claimDueJobs or claimRunsForDispatch may return
  something: a due job's nextRunAt, a claim's expiry, a retry's nextAttemptAt, a run lease's expiry.
  Read-only (it may run while writes are paused).

  ARGV[1] prefix

  Keys: P:due, P:claims, P:retries, P:leases

  Returns {1, earliest as a string, or "" when nothing is scheduled}
  Claim and lease expiries are on the lease clock (Redis's with leaseClock "redis"): a wake-up
  computed from them is off by the skew between Redis and the caller, which a shared store's poll
  interval bounds anyway.
]]
local earliest = nil
for _, k in ipairs({K.due, K.claims, K.retries, K.leases}) do
  local top = rcall('ZRANGE', k, 0, 0, 'WITHSCORES')
  if top[2] then
    local at = tonumber(top[2])
    if not earliest or at < earliest then earliest = at end
  end
end
return {1, earliest and fmt(earliest) or ''}
