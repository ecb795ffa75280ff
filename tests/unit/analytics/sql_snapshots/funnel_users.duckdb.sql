WITH "t3" AS (
  SELECT
    "t2"."user_id",
    "t2"."ts",
    "t2"."tag",
    COUNT(*) AS "copies"
  FROM (
    SELECT
      "t1"."user_id",
      "t1"."timestamp" AS "ts",
      "t1"."tag"
    FROM (
      SELECT
        "t0"."event",
        "t0"."user_id",
        "t0"."anonymous_id",
        "t0"."group_id",
        "t0"."timestamp",
        "t0"."message_id",
        "t0"."properties",
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
        "t0"."timestamp" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
        AND "t0"."timestamp" >= MAKE_TIMESTAMP(2024, 1, 1, 0, 0, 0.0)
        AND "t0"."user_id" IS NOT NULL
        AND "t0"."event" IN ('activate', 'signup', 'subscribe')
    ) AS "t1"
    WHERE
      "t1"."tag" IS NOT NULL
  ) AS "t2"
  GROUP BY
    1,
    2,
    3
), "t14" AS (
  SELECT
    "t9"."user_id",
    COUNT(*) AS "n_first"
  FROM (
    SELECT
      "t4"."user_id",
      "t4"."ts",
      "t4"."tag"
    FROM "t3" AS "t4"
    WHERE
      "t4"."tag" = 1
  ) AS "t9"
  GROUP BY
    1
)
SELECT
  "t31"."user_id",
  'all' AS "breakdown",
  CASE
    WHEN "t31"."secs_3" IS NOT NULL
    THEN 3
    ELSE CASE WHEN "t31"."secs_2" IS NOT NULL THEN 2 ELSE 1 END
  END AS "furthest",
  "t31"."secs_2",
  "t31"."secs_3"
FROM (
  SELECT
    "t30"."user_id",
    MIN(
      CAST(EPOCH(CAST("t30"."s2" AS TIMESTAMP)) - EPOCH(CAST("t30"."t1" AS TIMESTAMP)) AS DOUBLE)
    ) AS "secs_2",
    MIN(
      CAST(EPOCH(CAST("t30"."s3" AS TIMESTAMP)) - EPOCH(CAST("t30"."t1" AS TIMESTAMP)) AS DOUBLE)
    ) AS "secs_3"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t25"."user_id",
        "t25"."t1",
        MIN("t25"."s2") AS "s2",
        MIN("t25"."ts_k") AS "s3"
      FROM (
        SELECT
          "t23"."user_id",
          "t23"."t1",
          "t23"."s2",
          "t11"."user_id_k",
          "t11"."ts_k"
        FROM (
          SELECT
            "t20"."user_id",
            "t20"."t1",
            MIN("t20"."ts_k") AS "s2"
          FROM (
            SELECT
              "t12"."user_id",
              "t12"."t1",
              "t13"."user_id_k",
              "t13"."ts_k"
            FROM (
              SELECT
                "t4"."user_id",
                "t4"."ts" AS "t1"
              FROM "t3" AS "t4"
              WHERE
                "t4"."tag" = 1
            ) AS "t12"
            SEMI JOIN (
              SELECT
                "t15"."user_id" AS "light_user"
              FROM "t14" AS "t15"
              WHERE
                "t15"."n_first" <= 4
            ) AS "t18"
              ON "t12"."user_id" = "t18"."light_user"
            LEFT OUTER JOIN (
              SELECT
                "t4"."user_id" AS "user_id_k",
                "t4"."ts" AS "ts_k"
              FROM "t3" AS "t4"
              WHERE
                "t4"."tag" = 2
            ) AS "t13"
              ON "t12"."user_id" = "t13"."user_id_k"
              AND "t13"."ts_k" >= "t12"."t1"
              AND "t13"."ts_k" <= (
                "t12"."t1" + INTERVAL '604800' SECOND
              )
          ) AS "t20"
          GROUP BY
            1,
            2
        ) AS "t23"
        LEFT OUTER JOIN (
          SELECT
            "t4"."user_id" AS "user_id_k",
            "t4"."ts" AS "ts_k"
          FROM "t3" AS "t4"
          WHERE
            "t4"."tag" = 3
        ) AS "t11"
          ON "t23"."user_id" = "t11"."user_id_k"
          AND "t11"."ts_k" >= "t23"."s2"
          AND "t11"."ts_k" <= (
            "t23"."t1" + INTERVAL '604800' SECOND
          )
      ) AS "t25"
      GROUP BY
        1,
        2
    ) AS "t27"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t28"."user_id",
        "t28"."ts" AS "t1",
        CASE
          WHEN "t28"."chain_2" <= (
            "t28"."ts" + INTERVAL '604800' SECOND
          )
          THEN "t28"."chain_2"
          ELSE NULL
        END AS "s2",
        CASE
          WHEN "t28"."chain_3" <= (
            "t28"."ts" + INTERVAL '604800' SECOND
          )
          THEN "t28"."chain_3"
          ELSE NULL
        END AS "s3"
      FROM (
        SELECT
          "t26"."user_id",
          "t26"."ts",
          "t26"."tag",
          "t26"."chain_2",
          CASE
            WHEN "t26"."tag" = 1
            THEN MIN(CASE WHEN "t26"."tag" = 2 THEN "t26"."chain_3" ELSE NULL END) OVER (
              PARTITION BY "t26"."user_id"
              ORDER BY "t26"."ts" DESC, "t26"."tag" DESC
              ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
            )
            ELSE "t26"."chain_3"
          END AS "chain_3"
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t21"."user_id",
              "t21"."ts",
              "t21"."tag",
              CASE
                WHEN "t21"."tag" < 2
                THEN MIN(CASE WHEN "t21"."tag" = 2 THEN "t21"."ts" ELSE NULL END) OVER (
                  PARTITION BY "t21"."user_id"
                  ORDER BY "t21"."ts" DESC, "t21"."tag" DESC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                )
                ELSE NULL
              END AS "chain_2",
              CASE
                WHEN "t21"."tag" < 3
                THEN MIN(CASE WHEN "t21"."tag" = 3 THEN "t21"."ts" ELSE NULL END) OVER (
                  PARTITION BY "t21"."user_id"
                  ORDER BY "t21"."ts" DESC, "t21"."tag" DESC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                )
                ELSE NULL
              END AS "chain_3"
            FROM (
              SELECT
                "t7"."user_id",
                "t7"."ts",
                "t7"."tag"
              FROM (
                SELECT
                  "t4"."user_id",
                  "t4"."ts",
                  "t4"."tag"
                FROM "t3" AS "t4"
              ) AS "t7"
              SEMI JOIN (
                SELECT
                  "t15"."user_id" AS "heavy_user"
                FROM "t14" AS "t15"
                WHERE
                  "t15"."n_first" > 4
              ) AS "t19"
                ON "t7"."user_id" = "t19"."heavy_user"
            ) AS "t21"
          ) AS "t24"
          WHERE
            "t24"."tag" <= 2
        ) AS "t26"
      ) AS "t28"
      WHERE
        "t28"."tag" = 1
    ) AS "t29"
  ) AS "t30"
  GROUP BY
    1
) AS "t31"
