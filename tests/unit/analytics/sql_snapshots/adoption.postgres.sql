SELECT
  *
FROM (
  SELECT
    "t2"."p",
    COALESCE("t7"."active_users", 0) AS "active_users",
    COALESCE("t8"."feature_users", 0) AS "feature_users"
  FROM "phq_periods_6470_6482" AS "t2"
  LEFT OUTER JOIN (
    SELECT
      "t3"."p",
      COUNT(DISTINCT "t3"."user_id") AS "active_users"
    FROM (
      SELECT
        "t1"."event",
        "t1"."user_id",
        "t1"."anonymous_id",
        "t1"."group_id",
        "t1"."timestamp",
        "t1"."message_id",
        "t1"."properties",
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
        AND "t1"."timestamp" >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
        AND "t1"."user_id" IS NOT NULL
    ) AS "t3"
    GROUP BY
      1
  ) AS "t7"
    ON "t2"."p" = "t7"."p"
  LEFT OUTER JOIN (
    SELECT
      "t4"."p",
      COUNT(DISTINCT "t4"."user_id") AS "feature_users"
    FROM (
      SELECT
        "t1"."event",
        "t1"."user_id",
        "t1"."anonymous_id",
        "t1"."group_id",
        "t1"."timestamp",
        "t1"."message_id",
        "t1"."properties",
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
        AND "t1"."timestamp" >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
        AND "t1"."user_id" IS NOT NULL
        AND "t1"."event" IN ('')
    ) AS "t4"
    GROUP BY
      1
  ) AS "t8"
    ON "t2"."p" = "t8"."p"
) AS "t9"
ORDER BY
  "t9"."p" ASC
