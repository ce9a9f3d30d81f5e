window.YTD.direct_messages_group.part0 = [
  {
    "dmConversation" : {
      "conversationId" : "1758111111111111111",
      "messages" : [
        {
          "messageCreate" : {
            "reactions" : [ ],
            "urls" : [ ],
            "text" : "You all know what she did https://t.co/Gif1",
            "mediaUrls" : [
              "https://video.twimg.com/dm_gif/1758200000000000003/AbGif.mp4"
            ],
            "senderId" : "2222222222",
            "id" : "1758200000000000003",
            "createdAt" : "2024-02-15T10:00:00.000Z"
          }
        },
        {
          "conversationNameUpdate" : {
            "initiatingUserId" : "2222222222",
            "name" : "Dr. Weber watch",
            "createdAt" : "2024-02-15T09:30:00.000Z"
          }
        },
        {
          "participantsLeave" : {
            "userIds" : [
              "4444444444"
            ],
            "createdAt" : "2024-02-15T09:00:00.000Z"
          }
        },
        {
          "participantsJoin" : {
            "initiatingUserId" : "2222222222",
            "userIds" : [
              "4444444444",
              "5555555555"
            ],
            "createdAt" : "2024-02-15T08:30:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "reactions" : [ ],
            "urls" : [ ],
            "text" : "Welcome everyone",
            "mediaUrls" : [ ],
            "senderId" : "2222222222",
            "id" : "1758200000000000001",
            "createdAt" : "2024-02-15T08:00:00.000Z"
          }
        },
        {
          "joinConversation" : {
            "initiatingUserId" : "2222222222",
            "participantsSnapshot" : [
              "1111111111",
              "2222222222",
              "3333333333"
            ],
            "createdAt" : "2024-02-15T07:59:00.000Z"
          }
        }
      ]
    }
  }
]
