-- Varied pages of the project list, as people browse them (wrk -s): no status or one of the
-- four, any documented sort either way, any page up to offset 4,000. One repeated URL would only
-- measure a cache hit; these mostly miss it.
local statuses = { "", "backlog", "in_progress", "review", "complete" }
local sorts = { "created_at", "updated_at", "deadline", "priority", "status", "pet_name", "customer_name" }
local seeded = false

request = function()
  if not seeded then
    -- Each wrk thread draws its own sequence.
    math.randomseed(os.time() + math.floor(os.clock() * 1000000))
    seeded = true
  end
  local status = statuses[math.random(#statuses)]
  local sort = sorts[math.random(#sorts)]
  if math.random(2) == 1 then
    sort = "-" .. sort
  end
  local path = "/api/v1/projects?limit=20&offset=" .. (20 * math.random(0, 200)) .. "&sort=" .. sort
  if status ~= "" then
    path = path .. "&status=" .. status
  end
  return wrk.format("GET", path)
end
