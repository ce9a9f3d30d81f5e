window.YTD.direct_messages.part0 = [
  {
    "dmConversation" : {
      "conversationId" : "1111111111-2222222222",
      "messages" : [
        {
          "messageCreate" : {
            "recipientId" : "1111111111",
            "reactions" : [ ],
            "urls" : [
              {
                "url" : "https://t.co/AbC123",
                "expanded" : "https://twitter.com/messages/media/1758000000000000005",
                "display" : "pic.twitter.com/AbC123"
              }
            ],
            "text" : "You can't block me forever https://t.co/AbC123",
            "mediaUrls" : [
              "https://ton.twitter.com/dm/1758000000000000005/1758000000000000099/q1W2e3R4.jpg"
            ],
            "senderId" : "2222222222",
            "id" : "1758000000000000005",
            "createdAt" : "2024-02-15T09:12:00.000Z",
            "editHistory" : [ ]
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "2222222222",
            "reactions" : [
              {
                "senderId" : "2222222222",
                "reactionKey" : "funny",
                "eventId" : "1758000000000000104",
                "createdAt" : "2024-02-15T08:01:00.000Z"
              }
            ],
            "urls" : [ ],
            "text" : "Please stop messaging me.",
            "mediaUrls" : [ ],
            "senderId" : "1111111111",
            "id" : "1758000000000000004",
            "createdAt" : "2024-02-15T08:00:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "1111111111",
            "reactions" : [ ],
            "urls" : [
              {
                "url" : "https://t.co/XyZ789",
                "expanded" : "https://example.org/blog/dr-weber",
                "display" : "example.org/blog/dr-weber"
              }
            ],
            "text" : "Read this: https://t.co/XyZ789",
            "mediaUrls" : [ ],
            "senderId" : "2222222222",
            "id" : "1758000000000000003",
            "createdAt" : "2024-02-14T22:01:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "1111111111",
            "reactions" : [ ],
            "urls" : [ ],
            "text" : "video https://t.co/Vid42",
            "mediaUrls" : [
              "https://video.twimg.com/dm_video/1758000000000000002/vid/avc1/1280x720/VdEo_42.mp4?tag=1"
            ],
            "senderId" : "2222222222",
            "id" : "1758000000000000002",
            "createdAt" : "2024-02-14T20:10:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "1111111111",
            "reactions" : [ ],
            "urls" : [ ],
            "text" : "Hello doctor \ud83d\ude00\nYou and your \"friends\" &amp; staff",
            "mediaUrls" : [ ],
            "senderId" : "2222222222",
            "id" : "1758000000000000001",
            "createdAt" : "2024-02-14T20:07:00.000Z"
          }
        }
      ]
    }
  },
  {
    "dmConversation" : {
      "conversationId" : "1111111111-3333333333",
      "messages" : [
        {
          "messageCreate" : {
            "recipientId" : "1111111111",
            "reactions" : [
              {
                "senderId" : "1111111111",
                "reactionKey" : "emoji",
                "emoji" : "👍",
                "eventId" : "1757000000000000102",
                "createdAt" : "2024-02-13T10:05:00.000Z"
              }
            ],
            "urls" : [ ],
            "text" : "Appointment moved to Friday.",
            "mediaUrls" : [ ],
            "senderId" : "3333333333",
            "id" : "1757000000000000001",
            "createdAt" : "2024-02-13T10:00:00.000Z"
          }
        }
      ]
    }
  }
]
