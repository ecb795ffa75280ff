SELECT
  "t20"."user_id",
  "t20"."breakdown",
  MAX("t20"."furthest") AS "furthest",
  MIN("t20"."secs_2") AS "secs_2",
  MIN("t20"."secs_3") AS "secs_3"
FROM (
  SELECT
    "t19"."user_id",
    "t19"."breakdown",
    "t19"."t1",
    "t19"."deadline",
    "t19"."s1",
    "t19"."s2",
    "t19"."s3",
    CASE
      WHEN "t19"."s3" IS NOT NULL
      THEN 3
      ELSE CASE WHEN "t19"."s2" IS NOT NULL THEN 2 ELSE 1 END
    END AS "furthest",
    CAST(EXTRACT('epoch' FROM "t19"."s2") - EXTRACT('epoch' FROM "t19"."t1") AS DOUBLE PRECISION) AS "secs_2",
    CAST(EXTRACT('epoch' FROM "t19"."s3") - EXTRACT('epoch' FROM "t19"."t1") AS DOUBLE PRECISION) AS "secs_3"
  FROM (
    SELECT
      "t17"."user_id",
      "t17"."breakdown",
      "t17"."t1",
      "t17"."deadline",
      "t17"."s1",
      "t17"."s2",
      CASE WHEN "t14"."nxt" <= "t17"."deadline" THEN "t14"."nxt" ELSE NULL END AS "s3"
    FROM (
      SELECT
        "t6"."user_id",
        "t6"."breakdown",
        "t6"."t1",
        "t6"."deadline",
        "t6"."s1",
        CASE WHEN "t13"."nxt" <= "t6"."deadline" THEN "t13"."nxt" ELSE NULL END AS "s2"
      FROM (
        SELECT
          "t0"."user_id",
          'all' AS "breakdown",
          "t0"."timestamp" AS "t1",
          "t0"."timestamp" + INTERVAL '604800 SECOND' AS "deadline",
          "t0"."timestamp" AS "s1"
        FROM "events" AS "t0"
        WHERE
          "t0"."timestamp" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
          AND "t0"."timestamp" >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
          AND "t0"."user_id" IS NOT NULL
          AND "t0"."event" IN ('activate', 'signup', 'subscribe')
          AND "t0"."event" = 'signup'
      ) AS "t6"
      LEFT OUTER JOIN (
        SELECT DISTINCT
          "t9"."user_id",
          "t9"."ts" AS "x",
          "t9"."nxt"
        FROM (
          SELECT
            "t7"."user_id",
            "t7"."ts",
            "t7"."tag",
            MIN(CASE WHEN "t7"."tag" = 1 THEN "t7"."ts" ELSE NULL END) OVER (
              PARTITION BY "t7"."user_id"
              ORDER BY "t7"."ts" DESC NULLS LAST, "t7"."tag" DESC NULLS LAST
              ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
            ) AS "nxt"
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t0"."user_id",
                "t0"."timestamp" AS "ts",
                0 AS "tag"
              FROM "events" AS "t0"
              WHERE
                "t0"."timestamp" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
                AND "t0"."timestamp" >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
                AND "t0"."user_id" IS NOT NULL
                AND "t0"."event" IN ('activate', 'signup', 'subscribe')
                AND "t0"."event" = 'signup'
            ) AS "t2"
            UNION ALL
            SELECT
              *
            FROM (
              SELECT
                "t0"."user_id",
                "t0"."timestamp" AS "ts",
                1 AS "tag"
              FROM "events" AS "t0"
              WHERE
                "t0"."timestamp" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
                AND "t0"."timestamp" >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
                AND "t0"."user_id" IS NOT NULL
                AND "t0"."event" IN ('activate', 'signup', 'subscribe')
                AND "t0"."event" = 'activate'
            ) AS "t4"
          ) AS "t7"
        ) AS "t9"
        WHERE
          "t9"."tag" = 0
      ) AS "t13"
        ON "t6"."user_id" = "t13"."user_id" AND "t6"."s1" = "t13"."x"
    ) AS "t17"
    LEFT OUTER JOIN (
      SELECT DISTINCT
        "t10"."user_id",
        "t10"."ts" AS "x",
        "t10"."nxt"
      FROM (
        SELECT
          "t8"."user_id",
          "t8"."ts",
          "t8"."tag",
          MIN(CASE WHEN "t8"."tag" = 1 THEN "t8"."ts" ELSE NULL END) OVER (
            PARTITION BY "t8"."user_id"
            ORDER BY "t8"."ts" DESC NULLS LAST, "t8"."tag" DESC NULLS LAST
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
          ) AS "nxt"
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t0"."user_id",
              "t0"."timestamp" AS "ts",
              0 AS "tag"
            FROM "events" AS "t0"
            WHERE
              "t0"."timestamp" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
              AND "t0"."timestamp" >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
              AND "t0"."user_id" IS NOT NULL
              AND "t0"."event" IN ('activate', 'signup', 'subscribe')
              AND "t0"."event" = 'activate'
          ) AS "t3"
          UNION ALL
          SELECT
            *
          FROM (
            SELECT
              "t0"."user_id",
              "t0"."timestamp" AS "ts",
              1 AS "tag"
            FROM "events" AS "t0"
            WHERE
              "t0"."timestamp" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
              AND "t0"."timestamp" >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
              AND "t0"."user_id" IS NOT NULL
              AND "t0"."event" IN ('activate', 'signup', 'subscribe')
              AND "t0"."event" = 'subscribe'
          ) AS "t5"
        ) AS "t8"
      ) AS "t10"
      WHERE
        "t10"."tag" = 0
    ) AS "t14"
      ON "t17"."user_id" = "t14"."user_id" AND "t17"."s2" = "t14"."x"
  ) AS "t19"
) AS "t20"
GROUP BY
  1,
  2
