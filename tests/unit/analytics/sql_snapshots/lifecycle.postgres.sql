SELECT
  "t8"."p",
  "t8"."new",
  "t8"."returning",
  (
    "t8"."active" - "t8"."new"
  ) - "t8"."returning" AS "resurrecting",
  COALESCE("t8"."before", 0) - "t8"."returning" AS "dormant"
FROM (
  SELECT
    "t7"."p",
    "t7"."active",
    "t7"."new",
    "t7"."returning",
    LAG("t7"."active") OVER (ORDER BY "t7"."p" ASC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS "before"
  FROM (
    SELECT
      "t2"."p",
      COALESCE("t6"."active", 0) AS "active",
      COALESCE("t6"."new", 0) AS "new",
      COALESCE("t6"."returning", 0) AS "returning"
    FROM "phq_periods_6469_6482" AS "t2"
    LEFT OUTER JOIN (
      SELECT
        "t4"."p",
        COUNT(*) AS "active",
        SUM(CASE WHEN "t4"."prev" IS NULL THEN 1 ELSE 0 END) AS "new",
        SUM(CASE WHEN "t4"."prev" = (
          "t4"."p" - 1
        ) THEN 1 ELSE 0 END) AS "returning"
      FROM (
        SELECT
          "t3"."user_id",
          "t3"."p",
          LAG("t3"."p") OVER (
            PARTITION BY "t3"."user_id"
            ORDER BY "t3"."p" ASC
            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
          ) AS "prev"
        FROM (
          SELECT DISTINCT
            "t1"."user_id",
            CAST(FLOOR(
              CAST((
                CAST(FLOOR(
                  CAST((
                    EXTRACT('epoch' FROM "t1"."timestamp")
                  ) AS DOUBLE PRECISION) / (
                    86400
                  )
                ) AS BIGINT) + 25567
              ) AS DOUBLE PRECISION) / (
                7
              )
            ) AS BIGINT) AS "p"
          FROM "events" AS "t1"
          WHERE
            "t1"."timestamp" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
            AND "t1"."user_id" IS NOT NULL
        ) AS "t3"
      ) AS "t4"
      GROUP BY
        1
    ) AS "t6"
      ON "t2"."p" = "t6"."p"
  ) AS "t7"
) AS "t8"
WHERE
  "t8"."p" >= 6470
ORDER BY
  "t8"."p" ASC
