-- wrk: POST /api/v1/clues with varied public-report texts and addresses (no source reference,
-- so every request registers a new clue: classify + locate + de-duplicate + store + audit).
local texts = {
  "楼下饭店油烟太大，熏得窗户都不敢开",
  "工地晚上十一点还在施工，噪音很大",
  "有人在人行道上摆摊卖水果，占道经营",
  "小区楼道里有人给电瓶车充电，电线从窗户拉出来",
  "路边广告牌破损快要掉下来了",
  "绿化带里被人倒了一堆建筑垃圾",
  "楼顶有人在搭建彩钢板房，像是违建",
  "店家把桌椅摆到人行道上经营",
  "夜里有人露天烧烤，烟很大",
  "共享单车乱停堵住了盲道",
  "装修把承重墙打掉了，楼上邻居很担心",
  "沿街商铺乱贴小广告",
}
local roads = { "仙霞路", "天山路", "延安西路", "长宁路", "愚园路", "定西路", "古北路", "虹桥路", "剑河路", "北新泾路" }
local n = 0
local auth = os.getenv("BENCH_KEY") or ""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. auth
request = function()
  n = n + 1
  local t = texts[(n % #texts) + 1]
  local road = roads[(math.floor(n / #texts) % #roads) + 1]
  local body = string.format(
    '{"channel":"public_report","description":"%s","address":"长宁区%s%d号","reporter_phone":"139%08d"}',
    t, road, (n * 7) % 900 + 1, n % 100000000)
  return wrk.format(nil, nil, nil, body)
end
