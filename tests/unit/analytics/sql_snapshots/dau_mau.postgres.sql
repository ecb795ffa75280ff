SELECT
  *
FROM (
  SELECT
    "t11"."p",
    "t11"."dau",
    SUM("t11"."d7") OVER (ORDER BY "t11"."p" ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "wau",
    SUM("t11"."d30") OVER (ORDER BY "t11"."p" ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "mau"
  FROM (
    SELECT
      "t3"."p",
      COALESCE("t10"."d1", 0) AS "dau",
      COALESCE("t10"."d7", 0) AS "d7",
      COALESCE("t10"."d30", 0) AS "d30"
    FROM "phq_periods_45290_45380" AS "t3"
    LEFT OUTER JOIN (
      SELECT
        "t8"."p",
        SUM("t8"."d1") AS "d1",
        SUM("t8"."d7") AS "d7",
        SUM("t8"."d30") AS "d30"
      FROM (
        SELECT
          CASE
            WHEN "t4"."k" = 1
            THEN "t7"."p"
            WHEN "t4"."k" = 2
            THEN CASE
              WHEN (
                "t7"."prev" IS NULL
              ) OR (
                (
                  "t7"."prev" + 7
                ) <= "t7"."p"
              )
              THEN "t7"."p"
              ELSE "t7"."prev" + 7
            END
            WHEN "t4"."k" = 3
            THEN "t7"."p" + 7
            WHEN "t4"."k" = 4
            THEN CASE
              WHEN (
                "t7"."prev" IS NULL
              ) OR (
                (
                  "t7"."prev" + 30
                ) <= "t7"."p"
              )
              THEN "t7"."p"
              ELSE "t7"."prev" + 30
            END
            ELSE "t7"."p" + 30
          END AS "p",
          CASE WHEN "t4"."k" = 1 THEN 1 ELSE 0 END AS "d1",
          CASE WHEN "t4"."k" = 2 THEN 1 WHEN "t4"."k" = 3 THEN -1 ELSE 0 END AS "d7",
          CASE WHEN "t4"."k" = 4 THEN 1 WHEN "t4"."k" = 5 THEN -1 ELSE 0 END AS "d30"
        FROM (
          SELECT
            "t5"."user_id",
            "t5"."p",
            LAG("t5"."p") OVER (
              PARTITION BY "t5"."user_id"
              ORDER BY "t5"."p" ASC
              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            ) AS "prev"
          FROM (
            SELECT DISTINCT
              "t2"."user_id",
              CAST(FLOOR(
                CAST((
                  EXTRACT('epoch' FROM "t2"."timestamp")
                ) AS DOUBLE PRECISION) / (
                  86400
                )
              ) AS BIGINT) + 25567 AS "p"
            FROM "events" AS "t2"
            WHERE
              "t2"."timestamp" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
              AND "t2"."timestamp" >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
              AND "t2"."user_id" IS NOT NULL
          ) AS "t5"
        ) AS "t7"
        CROSS JOIN "phq_wau_mau_parts_1_5" AS "t4"
      ) AS "t8"
      GROUP BY
        1
    ) AS "t10"
      ON "t3"."p" = "t10"."p"
  ) AS "t11"
) AS "t12"
ORDER BY
  "t12"."p" ASC
