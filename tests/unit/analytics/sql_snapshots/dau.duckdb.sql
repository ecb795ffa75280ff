SELECT
  *
FROM (
  SELECT
    "t2"."p",
    COALESCE("t5"."dau", 0) AS "dau"
  FROM "phq_periods_45290_45380" AS "t2"
  LEFT OUTER JOIN (
    SELECT
      "t3"."p",
      COUNT(*) AS "dau"
    FROM (
      SELECT DISTINCT
        "t1"."user_id",
        CAST(FLOOR((
          EPOCH(CAST("t1"."timestamp" AS TIMESTAMP))
        ) / (
          86400
        )) AS BIGINT) + 25567 AS "p"
      FROM "events" AS "t1"
      WHERE
        "t1"."timestamp" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
        AND "t1"."timestamp" >= MAKE_TIMESTAMP(2024, 1, 1, 0, 0, 0.0)
        AND "t1"."user_id" IS NOT NULL
    ) AS "t3"
    GROUP BY
      1
  ) AS "t5"
    ON "t2"."p" = "t5"."p"
) AS "t6"
ORDER BY
  "t6"."p" ASC
