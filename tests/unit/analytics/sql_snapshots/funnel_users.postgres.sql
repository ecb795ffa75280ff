WITH "t1" AS (
  SELECT
    "t0"."user_id",
    "t0"."timestamp",
    "t0"."event",
    CASE
      WHEN "t0"."event" = 'signup'
      THEN 1
      WHEN "t0"."event" = 'activate'
      THEN 2
      WHEN "t0"."event" = 'subscribe'
      THEN 3
      ELSE NULL
    END AS "tag"
  FROM "events" AS "t0"
  WHERE
    "t0"."timestamp" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
    AND "t0"."timestamp" >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
    AND "t0"."user_id" IS NOT NULL
    AND "t0"."event" IN ('activate', 'signup', 'subscribe')
), "t12" AS (
  SELECT
    "t6"."user_id",
    COUNT(*) AS "n_first"
  FROM (
    SELECT
      "t2"."user_id",
      "t2"."timestamp" AS "ts",
      "t2"."tag"
    FROM "t1" AS "t2"
    WHERE
      "t2"."tag" IS NOT NULL AND "t2"."tag" = 1
  ) AS "t6"
  GROUP BY
    1
)
SELECT
  "t29"."user_id",
  'all' AS "breakdown",
  CASE
    WHEN "t29"."secs_3" IS NOT NULL
    THEN 3
    ELSE CASE WHEN "t29"."secs_2" IS NOT NULL THEN 2 ELSE 1 END
  END AS "furthest",
  "t29"."secs_2",
  "t29"."secs_3"
FROM (
  SELECT
    "t28"."user_id",
    MIN(
      CAST(EXTRACT('epoch' FROM "t28"."s2") - EXTRACT('epoch' FROM "t28"."t1") AS DOUBLE PRECISION)
    ) AS "secs_2",
    MIN(
      CAST(EXTRACT('epoch' FROM "t28"."s3") - EXTRACT('epoch' FROM "t28"."t1") AS DOUBLE PRECISION)
    ) AS "secs_3"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t23"."user_id",
        "t23"."t1",
        MIN("t23"."s2") AS "s2",
        MIN("t23"."ts_k") AS "s3"
      FROM (
        SELECT
          "t21"."user_id",
          "t21"."t1",
          "t21"."s2",
          "t9"."user_id_k",
          "t9"."ts_k"
        FROM (
          SELECT
            "t18"."user_id",
            "t18"."t1",
            MIN("t18"."ts_k") AS "s2"
          FROM (
            SELECT
              "t10"."user_id",
              "t10"."t1",
              "t11"."user_id_k",
              "t11"."ts_k"
            FROM (
              SELECT
                "t2"."user_id",
                "t2"."timestamp" AS "t1"
              FROM "t1" AS "t2"
              WHERE
                "t2"."tag" IS NOT NULL AND "t2"."tag" = 1
            ) AS "t10"
            LEFT OUTER JOIN (
              SELECT
                "t2"."user_id" AS "user_id_k",
                "t2"."timestamp" AS "ts_k"
              FROM "t1" AS "t2"
              WHERE
                "t2"."tag" IS NOT NULL AND "t2"."tag" = 2
            ) AS "t11"
              ON "t10"."user_id" = "t11"."user_id_k"
              AND "t11"."ts_k" >= "t10"."t1"
              AND "t11"."ts_k" <= (
                "t10"."t1" + INTERVAL '604800 SECOND'
              )
            WHERE
              EXISTS(
                SELECT
                  1
                FROM (
                  SELECT
                    "t13"."user_id" AS "light_user"
                  FROM "t12" AS "t13"
                  WHERE
                    "t13"."n_first" <= 4
                ) AS "t16"
                WHERE
                  "t10"."user_id" = "t16"."light_user"
              )
          ) AS "t18"
          GROUP BY
            1,
            2
        ) AS "t21"
        LEFT OUTER JOIN (
          SELECT
            "t2"."user_id" AS "user_id_k",
            "t2"."timestamp" AS "ts_k"
          FROM "t1" AS "t2"
          WHERE
            "t2"."tag" IS NOT NULL AND "t2"."tag" = 3
        ) AS "t9"
          ON "t21"."user_id" = "t9"."user_id_k"
          AND "t9"."ts_k" >= "t21"."s2"
          AND "t9"."ts_k" <= (
            "t21"."t1" + INTERVAL '604800 SECOND'
          )
      ) AS "t23"
      GROUP BY
        1,
        2
    ) AS "t25"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t26"."user_id",
        "t26"."ts" AS "t1",
        CASE
          WHEN "t26"."chain_2" <= (
            "t26"."ts" + INTERVAL '604800 SECOND'
          )
          THEN "t26"."chain_2"
          ELSE NULL
        END AS "s2",
        CASE
          WHEN "t26"."chain_3" <= (
            "t26"."ts" + INTERVAL '604800 SECOND'
          )
          THEN "t26"."chain_3"
          ELSE NULL
        END AS "s3"
      FROM (
        SELECT
          "t24"."user_id",
          "t24"."ts",
          "t24"."tag",
          "t24"."chain_2",
          CASE
            WHEN "t24"."tag" = 1
            THEN MIN(CASE WHEN "t24"."tag" = 2 THEN "t24"."chain_3" ELSE NULL END) OVER (
              PARTITION BY "t24"."user_id"
              ORDER BY "t24"."ts" DESC NULLS LAST, "t24"."tag" DESC NULLS LAST
              ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
            )
            ELSE "t24"."chain_3"
          END AS "chain_3"
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t19"."user_id",
              "t19"."ts",
              "t19"."tag",
              CASE
                WHEN "t19"."tag" < 2
                THEN MIN(CASE WHEN "t19"."tag" = 2 THEN "t19"."ts" ELSE NULL END) OVER (
                  PARTITION BY "t19"."user_id"
                  ORDER BY "t19"."ts" DESC NULLS LAST, "t19"."tag" DESC NULLS LAST
                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                )
                ELSE NULL
              END AS "chain_2",
              CASE
                WHEN "t19"."tag" < 3
                THEN MIN(CASE WHEN "t19"."tag" = 3 THEN "t19"."ts" ELSE NULL END) OVER (
                  PARTITION BY "t19"."user_id"
                  ORDER BY "t19"."ts" DESC NULLS LAST, "t19"."tag" DESC NULLS LAST
                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                )
                ELSE NULL
              END AS "chain_3"
            FROM (
              SELECT
                "t8"."user_id",
                "t8"."ts",
                "t8"."tag"
              FROM (
                SELECT
                  "t2"."user_id",
                  "t2"."timestamp" AS "ts",
                  "t2"."tag"
                FROM "t1" AS "t2"
                WHERE
                  "t2"."tag" IS NOT NULL
              ) AS "t8"
              WHERE
                EXISTS(
                  SELECT
                    1
                  FROM (
                    SELECT
                      "t13"."user_id" AS "heavy_user"
                    FROM "t12" AS "t13"
                    WHERE
                      "t13"."n_first" > 4
                  ) AS "t17"
                  WHERE
                    "t8"."user_id" = "t17"."heavy_user"
                )
            ) AS "t19"
          ) AS "t22"
          WHERE
            "t22"."tag" <= 2
        ) AS "t24"
      ) AS "t26"
      WHERE
        "t26"."tag" = 1
    ) AS "t27"
  ) AS "t28"
  GROUP BY
    1
) AS "t29"
