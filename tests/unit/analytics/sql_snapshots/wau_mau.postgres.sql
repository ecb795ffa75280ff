WITH "t4" AS (
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
          EXTRACT('epoch' FROM "t1"."timestamp")
        ) AS DOUBLE PRECISION) / (
          86400
        )
      ) AS BIGINT) + 25567 AS "p"
    FROM "events" AS "t1"
    WHERE
      "t1"."timestamp" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
      AND "t1"."timestamp" >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
      AND "t1"."user_id" IS NOT NULL
  ) AS "t3"
)
SELECT
  *
FROM (
  SELECT
    "t17"."p",
    "t17"."dau",
    SUM("t17"."d7") OVER (ORDER BY "t17"."p" ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "wau",
    SUM("t17"."d30") OVER (ORDER BY "t17"."p" ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "mau"
  FROM (
    SELECT
      "t2"."p",
      COALESCE("t16"."d1", 0) AS "dau",
      COALESCE("t16"."d7", 0) AS "d7",
      COALESCE("t16"."d30", 0) AS "d30"
    FROM "phq_periods_45290_45380" AS "t2"
    LEFT OUTER JOIN (
      SELECT
        "t14"."p",
        SUM("t14"."d1") AS "d1",
        SUM("t14"."d7") AS "d7",
        SUM("t14"."d30") AS "d30"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t5"."p" + 7 AS "p",
              CAST(0 AS BIGINT) AS "d1",
              CAST(-1 AS BIGINT) AS "d7",
              CAST(0 AS BIGINT) AS "d30"
            FROM "t4" AS "t5"
          ) AS "t7"
          UNION ALL
          SELECT
            *
          FROM (
            SELECT
              CASE
                WHEN (
                  "t5"."prev" IS NULL
                ) OR (
                  (
                    "t5"."prev" + 30
                  ) <= "t5"."p"
                )
                THEN "t5"."p"
                ELSE "t5"."prev" + 30
              END AS "p",
              CAST(0 AS BIGINT) AS "d1",
              CAST(0 AS BIGINT) AS "d7",
              CAST(1 AS BIGINT) AS "d30"
            FROM "t4" AS "t5"
          ) AS "t9"
        ) AS "t11"
        UNION ALL
        SELECT
          *
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t5"."p" + 30 AS "p",
              CAST(0 AS BIGINT) AS "d1",
              CAST(0 AS BIGINT) AS "d7",
              CAST(-1 AS BIGINT) AS "d30"
            FROM "t4" AS "t5"
          ) AS "t8"
          UNION ALL
          SELECT
            *
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t5"."p",
                CAST(1 AS BIGINT) AS "d1",
                CAST(0 AS BIGINT) AS "d7",
                CAST(0 AS BIGINT) AS "d30"
              FROM "t4" AS "t5"
            ) AS "t6"
            UNION ALL
            SELECT
              *
            FROM (
              SELECT
                CASE
                  WHEN (
                    "t5"."prev" IS NULL
                  ) OR (
                    (
                      "t5"."prev" + 7
                    ) <= "t5"."p"
                  )
                  THEN "t5"."p"
                  ELSE "t5"."prev" + 7
                END AS "p",
                CAST(0 AS BIGINT) AS "d1",
                CAST(1 AS BIGINT) AS "d7",
                CAST(0 AS BIGINT) AS "d30"
              FROM "t4" AS "t5"
            ) AS "t10"
          ) AS "t12"
        ) AS "t13"
      ) AS "t14"
      GROUP BY
        1
    ) AS "t16"
      ON "t2"."p" = "t16"."p"
  ) AS "t17"
) AS "t18"
ORDER BY
  "t18"."p" ASC
