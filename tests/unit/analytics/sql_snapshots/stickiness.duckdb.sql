SELECT
  *
FROM (
  SELECT
    "t7"."days_active",
    "t7"."users",
    SUM("t7"."users") OVER (ORDER BY "t7"."days_active" DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "users_cumulative"
  FROM (
    SELECT
      "t2"."n" AS "days_active",
      COALESCE("t6"."users", 0) AS "users"
    FROM "phq_days_1_91" AS "t2"
    LEFT OUTER JOIN (
      SELECT
        "t4"."n",
        COUNT("t4"."user_id") AS "users"
      FROM (
        SELECT
          "t3"."user_id",
          COUNT(*) AS "n"
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
      ) AS "t4"
      GROUP BY
        1
    ) AS "t6"
      ON "t2"."n" = "t6"."n"
  ) AS "t7"
) AS "t8"
ORDER BY
  "t8"."days_active" ASC
