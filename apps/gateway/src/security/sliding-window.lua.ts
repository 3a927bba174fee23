// The rate limiter's one Redis script: a sliding-window counter (the current fixed window's count
// plus the previous window's, weighted by how much of it still overlaps the last `window` ms) in
// one hash per subject, read and written atomically. Time is Redis' own clock (`TIME`), so every
// gateway replica counts in the same windows whatever their clocks say.
//
// KEYS[1]  the subject's hash (fields: w = window index, c = its count, p = the previous count)
// ARGV[1]  limit per window
// ARGV[2]  window length in ms
// ARGV[3]  mode: `consume` (count the request when it fits), `peek` (only look), `add` (count it anyway)
//
// Answers { allowed (1/0), used (after this request), retryAfterMs (0 when allowed), resetMs }.
// `resetMs` is the time until the current window ends; `retryAfterMs` the time until one more
// request fits again.
export const SLIDING_WINDOW_SCRIPT = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local mode = ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local idx = math.floor(now / window)
local elapsed = now - idx * window
local state = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
local w = tonumber(state[1])
local c = tonumber(state[2]) or 0
local p = tonumber(state[3]) or 0
if w == nil then
  c = 0
  p = 0
elseif w == idx - 1 then
  p = c
  c = 0
elseif w ~= idx then
  c = 0
  p = 0
end
local function used_now(current)
  return math.floor(p * (window - elapsed) / window) + current
end
local used = used_now(c)
local reset = window - elapsed
local fits = used + 1 <= limit
if mode == 'peek' then
  if fits then return {1, used, 0, reset} end
elseif mode == 'add' or fits then
  c = c + 1
  redis.call('HSET', KEYS[1], 'w', idx, 'c', c, 'p', p)
  redis.call('PEXPIRE', KEYS[1], window * 2)
  if fits then return {1, used + 1, 0, reset} end
  used = used + 1
end
-- Refused: when does one more request fit? Either while the previous window fades out of the
-- current one, or, if the current window alone is full, during the next window as this one fades.
local retry
if c + 1 <= limit and p > 0 then
  -- need floor(p * (window - e) / window) + c + 1 <= limit, i.e. p * (window - e) / window < limit - c
  local e = window * (1 - (limit - c) / p)
  retry = math.max(1, math.ceil(e - elapsed))
else
  -- next window, x ms into it: need floor(c * (window - x) / window) + 1 <= limit
  local x = 0
  if c > 0 then x = math.max(0, window * (1 - limit / c)) end
  retry = math.max(1, math.ceil(reset + x))
end
return {0, used, retry, reset}
`;
