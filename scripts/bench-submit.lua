-- make bench: each request submits the next prepared draft. The numbers
-- come from the file named by DRAFTS; OFFSET picks where to start so that
-- successive runs submit different drafts.
local numbers = {}
for line in io.lines(os.getenv("DRAFTS")) do numbers[#numbers + 1] = line end
local i = tonumber(os.getenv("OFFSET") or "0")
wrk.headers["Cookie"] = os.getenv("COOKIE")
wrk.headers["X-CSRF-Token"] = os.getenv("CSRF")
request = function()
  i = i + 1
  if i > #numbers then i = 1 end
  return wrk.format("POST", "/api/v1/cases/" .. numbers[i] .. "/submit")
end
