WITH "t3" AS (
  SELECT
    "t2"."user_id",
    "t2"."ts",
    "t2"."tag",
    "t2"."breakdown",
    COUNT(*) AS "copies"
  FROM (
    SELECT
      "t1"."user_id",
      "t1"."timestamp" AS "ts",
      "t1"."tag",
      CASE WHEN "t1"."tag" = 1 THEN 'all' ELSE NULL END AS "breakdown"
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
    3,
    4
), "t13" AS (
  SELECT
    "t8"."user_id",
    COUNT(*) AS "n_first"
  FROM (
    SELECT
      *
    FROM "t3" AS "t4"
    WHERE
      "t4"."tag" = 1
  ) AS "t8"
  GROUP BY
    1
)
SELECT
  *
FROM (
  SELECT
    "t31"."breakdown",
    SUM(CASE WHEN "t31"."furthest" >= 1 THEN 1 ELSE 0 END) AS "users_1",
    SUM(CASE WHEN "t31"."furthest" >= 2 THEN 1 ELSE 0 END) AS "users_2",
    SUM(CASE WHEN "t31"."furthest" >= 3 THEN 1 ELSE 0 END) AS "users_3",
    AVG("t31"."secs_2") AS "mean_secs_2",
    QUANTILE_CONT("t31"."secs_2", 0.5) AS "median_secs_2",
    AVG("t31"."secs_3") AS "mean_secs_3",
    QUANTILE_CONT("t31"."secs_3", 0.5) AS "median_secs_3"
  FROM (
    SELECT
      "t30"."user_id",
      "t30"."breakdown",
      MAX("t30"."furthest") AS "furthest",
      MIN("t30"."secs_2") AS "secs_2",
      MIN("t30"."secs_3") AS "secs_3"
    FROM (
      SELECT
        "t29"."user_id",
        "t29"."breakdown",
        "t29"."t1",
        "t29"."deadline",
        "t29"."s1",
        "t29"."s2",
        "t29"."s3",
        CASE
          WHEN "t29"."s3" IS NOT NULL
          THEN 3
          ELSE CASE WHEN "t29"."s2" IS NOT NULL THEN 2 ELSE 1 END
        END AS "furthest",
        CAST(EPOCH(CAST("t29"."s2" AS TIMESTAMP)) - EPOCH(CAST("t29"."t1" AS TIMESTAMP)) AS DOUBLE) AS "secs_2",
        CAST(EPOCH(CAST("t29"."s3" AS TIMESTAMP)) - EPOCH(CAST("t29"."t1" AS TIMESTAMP)) AS DOUBLE) AS "secs_3"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t24"."user_id",
            "t24"."breakdown",
            "t24"."t1",
            "t24"."deadline",
            "t24"."s1",
            "t24"."s2",
            MIN("t24"."ts_k") AS "s3"
          FROM (
            SELECT
              "t22"."user_id",
              "t22"."breakdown",
              "t22"."t1",
              "t22"."deadline",
              "t22"."s1",
              "t22"."s2",
              "t10"."user_id_k",
              "t10"."ts_k"
            FROM (
              SELECT
                "t19"."user_id",
                "t19"."breakdown",
                "t19"."t1",
                "t19"."deadline",
                "t19"."s1",
                MIN("t19"."ts_k") AS "s2"
              FROM (
                SELECT
                  "t11"."user_id",
                  "t11"."breakdown",
                  "t11"."t1",
                  "t11"."deadline",
                  "t11"."s1",
                  "t12"."user_id_k",
                  "t12"."ts_k"
                FROM (
                  SELECT
                    "t4"."user_id",
                    "t4"."breakdown",
                    "t4"."ts" AS "t1",
                    "t4"."ts" + INTERVAL '604800' SECOND AS "deadline",
                    "t4"."ts" AS "s1"
                  FROM "t3" AS "t4"
                  WHERE
                    "t4"."tag" = 1
                ) AS "t11"
                SEMI JOIN (
                  SELECT
                    "t14"."user_id" AS "light_user"
                  FROM "t13" AS "t14"
                  WHERE
                    "t14"."n_first" <= 4
                ) AS "t17"
                  ON "t11"."user_id" = "t17"."light_user"
                LEFT OUTER JOIN (
                  SELECT
                    "t4"."user_id" AS "user_id_k",
                    "t4"."ts" AS "ts_k"
                  FROM "t3" AS "t4"
                  WHERE
                    "t4"."tag" = 2
                ) AS "t12"
                  ON "t11"."user_id" = "t12"."user_id_k"
                  AND "t12"."ts_k" >= "t11"."s1"
                  AND "t12"."ts_k" <= "t11"."deadline"
              ) AS "t19"
              GROUP BY
                1,
                2,
                3,
                4,
                5
            ) AS "t22"
            LEFT OUTER JOIN (
              SELECT
                "t4"."user_id" AS "user_id_k",
                "t4"."ts" AS "ts_k"
              FROM "t3" AS "t4"
              WHERE
                "t4"."tag" = 3
            ) AS "t10"
              ON "t22"."user_id" = "t10"."user_id_k"
              AND "t10"."ts_k" >= "t22"."s2"
              AND "t10"."ts_k" <= "t22"."deadline"
          ) AS "t24"
          GROUP BY
            1,
            2,
            3,
            4,
            5,
            6
        ) AS "t26"
        UNION ALL
        SELECT
          *
        FROM (
          SELECT
            "t27"."user_id",
            "t27"."breakdown",
            "t27"."ts" AS "t1",
            "t27"."ts" + INTERVAL '604800' SECOND AS "deadline",
            "t27"."ts" AS "s1",
            CASE
              WHEN "t27"."chain_2" <= (
                "t27"."ts" + INTERVAL '604800' SECOND
              )
              THEN "t27"."chain_2"
              ELSE NULL
            END AS "s2",
            CASE
              WHEN "t27"."chain_3" <= (
                "t27"."ts" + INTERVAL '604800' SECOND
              )
              THEN "t27"."chain_3"
              ELSE NULL
            END AS "s3"
          FROM (
            SELECT
              "t25"."user_id",
              "t25"."ts",
              "t25"."tag",
              "t25"."breakdown",
              "t25"."copies",
              "t25"."chain_2",
              CASE
                WHEN "t25"."tag" = 1
                THEN MIN(CASE WHEN "t25"."tag" = 2 THEN "t25"."chain_3" ELSE NULL END) OVER (
                  PARTITION BY "t25"."user_id"
                  ORDER BY "t25"."ts" DESC, "t25"."tag" DESC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                )
                ELSE "t25"."chain_3"
              END AS "chain_3"
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t20"."user_id",
                  "t20"."ts",
                  "t20"."tag",
                  "t20"."breakdown",
                  "t20"."copies",
                  CASE
                    WHEN "t20"."tag" < 2
                    THEN MIN(CASE WHEN "t20"."tag" = 2 THEN "t20"."ts" ELSE NULL END) OVER (
                      PARTITION BY "t20"."user_id"
                      ORDER BY "t20"."ts" DESC, "t20"."tag" DESC
                      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                    )
                    ELSE NULL
                  END AS "chain_2",
                  CASE
                    WHEN "t20"."tag" < 3
                    THEN MIN(CASE WHEN "t20"."tag" = 3 THEN "t20"."ts" ELSE NULL END) OVER (
                      PARTITION BY "t20"."user_id"
                      ORDER BY "t20"."ts" DESC, "t20"."tag" DESC
                      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                    )
                    ELSE NULL
                  END AS "chain_3"
                FROM (
                  SELECT
                    "t5"."user_id",
                    "t5"."ts",
                    "t5"."tag",
                    "t5"."breakdown",
                    "t5"."copies"
                  FROM "t3" AS "t5"
                  SEMI JOIN (
                    SELECT
                      "t14"."user_id" AS "heavy_user"
                    FROM "t13" AS "t14"
                    WHERE
                      "t14"."n_first" > 4
                  ) AS "t18"
                    ON "t5"."user_id" = "t18"."heavy_user"
                ) AS "t20"
              ) AS "t23"
              WHERE
                "t23"."tag" <= 2
            ) AS "t25"
          ) AS "t27"
          WHERE
            "t27"."tag" = 1
        ) AS "t28"
      ) AS "t29"
    ) AS "t30"
    GROUP BY
      1,
      2
  ) AS "t31"
  GROUP BY
    1
) AS "t32"
ORDER BY
  "t32"."breakdown" ASC
